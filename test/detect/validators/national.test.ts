import { describe, expect, it } from 'vitest';
import { NATIONAL_ID_EXAMPLES, VALIDATORS } from '../../../src/detect/validators/index.js';
import { HASHES_AND_UUIDS } from './lookalikes.js';

/** Issuers' specimens and numbers built by their rules, with the same number one check digit off. */
const CASES: Record<string, { valid: string[]; invalid: string[] }> = {
  uk_nhs_number: { valid: ['943 476 5919', '9434765919', '401-023-2137'], invalid: ['943 476 5918', '943 476-5919', '0000000000', '401 023 2130'] },
  ca_sin: { valid: ['130 692 544', '130-692-544', '130692544'], invalid: ['130 692 545', '046 454 286', '800 000 002'] },
  au_tfn: { valid: ['123 456 782', '876 543 210'], invalid: ['123 456 783', '111 111 111'] },
  au_medicare: { valid: ['2123 45670 1', '2123456701'], invalid: ['2123 45671 1', '7123 45670 1', '2123 45670 0'] },
  in_aadhaar: { valid: ['2345 6789 0124', '2345:6789:0124', '2345-6789-0124'], invalid: ['2345 6789 0123', '1345 6789 0124', '2345 6789-0124'] },
  in_pan: { valid: ['ABCPE1234F', 'aaacb1234c'], invalid: ['ABCXE1234F', 'ABCPE12345', 'ABCP1234F'] },
  in_epic: { valid: ['ABC1234567', 'XYZ/0123456'], invalid: ['AB12345678', 'ABC0000000'] },
  es_dni_nie: { valid: ['12345678Z', '12345678-z', 'X1234567L', 'Y-1234567X', 'Z1234567R'], invalid: ['12345678A', 'X1234567M', '1234567Z', 'W1234567L'] },
  fi_hetu: { valid: ['131052-308T', '010101A123N', '131052Y308T'], invalid: ['131052-308U', '311352-308T', '131052G308T'] },
  kr_rrn: { valid: ['800101-1234567', '9001011234568'], invalid: ['801301-1234567', '800101 12345678'] },
  pl_pesel: { valid: ['44051401359', '02070803628'], invalid: ['44051401358', '44151401359'] },
  se_personnummer: { valid: ['811218-9876', '19811218-9876', '8112189876', '811278-9873'], invalid: ['811218-9875', '811318-9876', '17811218-9876'] },
  sg_nric: { valid: ['S1234567D', 'T1234567J', 'F1234567N', 'G1234567X', 'M1234567K'], invalid: ['S1234567A', 'T1234567D', 'A1234567D'] },
  tr_tckn: { valid: ['10000000146', '12345678950'], invalid: ['10000000147', '02345678950'] },
  it_codice_fiscale: {
    valid: ['RSSMRA85T10A562S', 'rssmra85t10a562s', 'RSSMRA85T10A56NH'],
    invalid: ['RSSMRA85T10A562T', 'RSSMRA85Z10A562S', 'RSSMRA85T99A562S'],
  },
  za_id: { valid: ['8001015009087', '800101 5009 087'], invalid: ['8001015009088', '8013015009087', '8001015009387'] },
  de_steuer_id: { valid: ['86095742719', '86 095 742 719', '47036892816'], invalid: ['86095742718', '06095742719', '12345678901', '11145678903'] },
  de_rvnr: { valid: ['65170839J003', '65 170839 J 003'], invalid: ['65170839J004', '65173939J003'] },
  de_kvnr: { valid: ['A123456780'], invalid: ['A123456781', '1123456780', 'A000000000'] },
  th_national_id: { valid: ['1-1017-00230-70-8', '1101700230708'], invalid: ['1-1017-00230-70-9', '0101700230705', '9101700230702'] },
  us_itin: { valid: ['912-70-1234', '900 50 1234', '999991234'], invalid: ['912-67-1234', '812-70-1234', '912-93-1234', '912-70-0000'] },
  us_mbi: { valid: ['1EG4TE5MK73', '1EG4-TE5-MK73', '9AA0A00AA00'], invalid: ['0EG4TE5MK73', '1SG4TE5MK73', '1EG4TE5MK7', '1EG4TB5MK73'] },
  uk_driving_licence: {
    valid: ['MORGA753116SM9IJ', 'MORGA753116SM9IJ 35', 'JONE9853204A99AB'],
    invalid: ['MORGA750016SM9IJ', 'MORGA713116SM9IJ', 'M9RGA753116SM9IJ'],
  },
};

describe('national id validators', () => {
  for (const [name, { valid, invalid }] of Object.entries(CASES)) {
    describe(name, () => {
      const validator = VALIDATORS[name]!;
      it.each(valid)('accepts %s', (value) => expect(validator(value)).toBe(true));
      it.each(invalid)('rejects %s', (value) => expect(validator(value)).toBe(false));
      it('rejects hashes and UUIDs', () => {
        for (const value of HASHES_AND_UUIDS) expect(validator(value)).toBe(false);
      });
    });
  }

  it('has a case list and a specimen for every national id validator', () => {
    for (const name of Object.keys(NATIONAL_ID_EXAMPLES)) {
      if (!name.endsWith('_by_value')) expect(CASES[name], name).toBeDefined();
    }
  });

  describe('by value (keys that say nothing)', () => {
    const national = VALIDATORS.national_id_by_value!;
    const health = VALIDATORS.health_id_by_value!;
    it('takes the checksummed forms', () => {
      for (const value of [
        '12345678Z',
        'X1234567L',
        '131052-308T',
        '44051401359',
        '10000000146',
        '86095742719',
        '811218-9876',
        'S1234567D',
        '8001015009087',
        '130 692 544',
        '123 456 782',
        '2345 6789 0124',
        '1-1017-00230-70-8',
        '65170839J003',
      ]) {
        expect(national(value), value).toBe(true);
      }
      for (const value of ['943 476 5919', '2123 45670 1', '1EG4-TE5-MK73']) expect(health(value), value).toBe(true);
    });
    it('leaves bare digit runs whose check is weak to a key: 10-digit NHS, 9-digit SIN/TFN, 12-digit Aadhaar, 13-digit Thai', () => {
      for (const value of ['9434765919', '130692544', '123456782', '234567890124', '1101700230708']) {
        expect(national(value) || health(value), value).toBe(false);
      }
    });
    it('the NHS number only as the NHS prints it (a dashed 3-3-4 is a US phone shape)', () => {
      expect(health('943-476-5919')).toBe(false);
    });
  });
});
