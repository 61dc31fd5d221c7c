import { beforeAll, describe, expect, it } from 'vitest';
import type { Leaf } from '../../src/events/index.js';
import { builtinDetector } from './helpers.js';

let d: Awaited<ReturnType<typeof builtinDetector>>;
beforeAll(async () => {
  d = await builtinDetector();
});

type Case = [path: string, value: Leaf];

function expectAll(id: string | null, cases: Case[]) {
  for (const [path, value] of cases) {
    expect({ path, value, found: d.category(path, value) }).toEqual({ path, value, found: id });
  }
}

/** The decision at a path comes from the key: the value alone would not say it (`683428779`). */
function expectKeyMatch(id: string, cases: Case[]) {
  for (const [path, value] of cases) {
    const detection = d.detect(path, value);
    expect({ path, id: detection?.classifier.id, on: detection?.matchedOn }).toEqual({ path, id, on: expect.stringMatching(/^key/) });
  }
}

describe('key names people shorten around a known head word', () => {
  it('a trailing number word after a head that names a number (ssn_number, iban_no, cvv_num)', () => {
    expectKeyMatch('us_ssn', [
      ['properties.ssn_number', '683-42-8779'],
      ['properties.ssn_no', '683428779'],
      ['properties.SSN_Nr', '683 42 8779'],
      ['properties.ssn.number', '683428779'],
    ]);
    expectKeyMatch('iban', [['properties.iban_no', 'DE89370400440532013000']]);
    expectKeyMatch('card_security_code', [['properties.cvv_num', '483']]);
    expectKeyMatch('passport_number', [['properties.passport_no', 'K4410293']]);
  });

  it('words shortened to their first letters (soc_sec_no, social_sec_num, cust nm)', () => {
    expectKeyMatch('us_ssn', [
      ['properties.soc_sec_no', '683428779'],
      ['properties.social_sec_num', '683-42-8779'],
      ['properties.socSecNumber', '683428779'],
    ]);
    const detection = d.detect('properties.soc_sec_no', '683428779');
    expect(detection!.matcher).toContain('abbreviated: "soc" = "social", "sec" = "security"');
  });

  it('words shortened to their consonants (first nm, card nbr, bank acct)', () => {
    expectKeyMatch('person_name', [
      ['traits["first nm"]', 'Maria'],
      ['traits.last_nm', 'Lopez'],
      ['traits.fname', 'Maria'],
    ]);
    expectKeyMatch('credit_card_number', [
      ['properties.card_no', '4824 7363 4459 8'],
      ['properties.card_nbr', '4111111111111111'],
      ['properties.creditcardnumber', '4111111111111111'],
      ['properties.credit_card_no', '4111 1111 1111 1111'],
    ]);
  });

  it("the same mechanism reads other classifiers' keys (ph_no, zip_cd, addr_ln1, dev_id)", () => {
    expectKeyMatch('phone_number', [['properties.ph_no', '+1 415 555 2671']]);
    expectKeyMatch('postal_code', [['properties.zip_cd', '94107']]);
    expectKeyMatch('street_address', [['properties.addr_ln1', '1 Main St']]);
    expectKeyMatch('device_id', [['properties.dev_id', '9774d56d682e549c']]);
  });

  it('shortened words about other things stay green (page_no, sec_since_start, prod_nm, user_nm)', () => {
    expectAll(null, [
      ['properties.page_no', '3'],
      ['properties.sec_since_start', '42'],
      ['properties.prod_nm', 'Blue Shirt'],
      ['properties.evt_nm', 'Signed Up'],
      ['properties.user_nm', 'janedoe'],
      ['properties.item_no', '100234'],
      ['properties.seq_no', '17'],
    ]);
  });

  it('a shortened word alone, or with no word spelt out, is not believed', () => {
    expectAll(null, [
      ['properties.pass', 'gold'],
      ['properties.boarding_pass', 'BP1234'],
      ['properties.sec', '42'],
      ['properties.soc', 'x'],
      ['properties.nm', 'Home'],
      ['properties.page_nm', 'Home'],
      ['properties.event_nm', 'Signed Up'],
    ]);
  });

  it('keeps the name-pattern traps quiet (anchors: ssid, social_share, security_level …)', () => {
    expectAll(null, [
      ['properties.ssid', 'HomeWifi'],
      ['properties.social_share', 'twitter'],
      ['properties.security_level', 'high'],
      ['properties.event_name', 'Signed Up'],
      ['properties.page_name', 'Home'],
      ['properties.timezone', 'Europe/Paris'],
      ['properties.app_state', 'background'],
      ['properties.passenger_count', '2'],
      ['properties.compass_heading', 'N'],
      ['properties.bypass_cache', 'true'],
      ['properties.mailchimp_id', 'abc123'],
      ['properties.description', 'Great product'],
      ['properties.zip_format', 'gzip'],
      ['properties.click_id', 'x1'],
      ['properties.public_key_id', 'x1'],
      ['properties.machine', 'x86'],
      ['properties.macos', '14.1'],
      ['properties.order_number', '100234'],
      ['properties.account_number_masked', '****1234'],
      ['properties.version_number', '10.0.0.1'],
    ]);
  });

  it('decides a key once per path: the same path answers from its cache', () => {
    const first = d.detect('properties.soc_sec_no', '683428779');
    const again = d.detect('properties.soc_sec_no', '683-42-8779');
    expect(first?.classifier.id).toBe('us_ssn');
    expect(again).toBe(first);
  });
});

describe('SSNs as people write them (issue 13: dots and spaces)', () => {
  it('finds dotted and spaced SSNs under keys that say nothing, not ITINs', () => {
    expectAll('us_ssn', [
      ['properties.note', 'my number is 536.22.8104'],
      ['properties.note', '536 22 8104'],
      ['properties.note', 'ssn 536-22-8104 thanks'],
    ]);
    // A dashed ITIN is found as what it is (us_itin), never as an SSN.
    expectAll('us_itin', [['properties.note', '912-70-1234']]);
    expectAll(null, [
      ['properties.note', '912 70 1234'],
      ['properties.note', '536.22-8104'],
      ['properties.ref', '536228104'],
    ]);
  });

  it('under an SSN key, bare, dotted and spaced forms confirm the key', () => {
    for (const value of ['683428779', '683.42.8779', '683 42 8779', 683428779]) {
      expect(d.detect('properties.soc_sec_no', value)).toMatchObject({ classifier: { id: 'us_ssn' }, matchedOn: 'key+value' });
    }
  });
});

describe('what a key names depends on what it belongs to (excludeUnder)', () => {
  it('a product, cart item or parcel weight is not a body measurement', () => {
    expectAll(null, [
      ['properties.products[].weight_kg', 1.25],
      ['properties.cart.items[].weight_kg', 0.4],
      ['properties.shipping.weight_kg', 12],
      ['properties.order.package.weight_kg', '3.5'],
    ]);
  });

  it('a person’s weight still is (traits, a health block)', () => {
    expectKeyMatch('health_measurement', [
      ['traits.weight_kg', 72.5],
      ['properties.weight_kg', 80],
      ['properties.health.weight_kg', 64],
    ]);
  });
});

describe('keys in the languages forms are written in', () => {
  it('names, streets, birth dates and emails in German, French, Spanish, Italian, Portuguese and Dutch', () => {
    expectAll('person_name', [
      ['traits.Vorname', 'Lukas'],
      ['traits.Nachname', 'Müller'],
      ['traits.prenom', 'Camille'],
      ['traits.nom', 'Dubois'],
      ['traits.apellido', 'García'],
      ['traits.cognome', 'Rossi'],
      ['traits.sobrenome', 'Silva'],
      ['traits.achternaam', 'de Vries'],
    ]);
    expectAll('street_address', [
      ['traits.strasse', 'Hauptstraße 5'],
      ['traits.rue', '12 rue de la Paix'],
      ['traits.indirizzo', 'Via Roma 10'],
      ['traits.direccion', 'Calle Mayor 3'],
    ]);
    expectAll('date_of_birth', [
      ['traits.geburtsdatum', '1984-03-12'],
      ['traits.fecha_de_nacimiento', '1990-07-01'],
      ['traits.data_di_nascita', '1975-11-30'],
    ]);
    expectAll('email', [['traits.courriel', 'lea.moreau@example.fr']]);
  });

  it('`nom`, `nombre`, `nome` alone only under a person-like parent', () => {
    expectAll(null, [
      ['properties.product.nom', 'Chaise'],
      ['properties.nombre', 'Camiseta azul'],
    ]);
  });
});
