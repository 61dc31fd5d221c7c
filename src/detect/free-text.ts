/**
 * Personal data inside free text (comments, support messages, notes): "passport no. is K4410293",
 * "meine PLZ ist 10115", "ring me on 0917 123 4567". A cue word (en, de, fr, es, it, pt, nl) says
 * what the next token is, as a key would; the token is then checked by that classifier's own
 * patterns and validators, as if it stood under a matching key.
 *
 * Only values that look like prose get here (a few words, a digit, no detection by the value
 * scanner), and one RE2 test for any cue word rules out the rest, so the common path pays nothing.
 */
import RE2 from 're2';
import type { CompiledClassifier } from './compile.js';
import type { Detection } from './types.js';
import { checkValue } from './value-check.js';
import { hasNamePair, mentionsPerson } from './person-names.js';

interface CueKind {
  /** The classifier whose patterns and validators check the token. */
  classifier: string;
  /** Cue phrases, RE2 syntax, matched case-insensitively as whole words. */
  cues: string;
  /** The token after the cue (and filler words such as `no.`, `is`, `ist`, `est`, `es`, `è`). */
  token: string;
}

// Words people put between a cue and its value: "number", "no.", "is", "ist", "my", "mi", "é"…
const FILLER = String.raw`(?:n(?:o|r|um|°|º)\.?|#|number|nummer|numéro|numero|número|is|es|est|ist|è|é|era|was|:|-|de|di|do|du|da|van|of|my|mine|mi|mio|mia|mon|ma|meu|minha|mijn|mein|meine|il|la|le|el|o|a|the|der|die|das|het|de|it's|its|är|mitt|min|to|mój|on|card|kart|je)`;

const KINDS: readonly CueKind[] = [
  {
    classifier: 'passport_number',
    cues: String.raw`passport|passeport|pasaporte|passaporto|passaporte|reisepass(?:nummer)?|passnummer|paspoort(?:nummer)?`,
    token: String.raw`[A-Za-z]{0,2}\d[A-Za-z0-9]{5,9}`,
  },
  {
    classifier: 'drivers_license',
    cues: String.raw`(?:driver'?s?|driving)\s+licen[cs]e|führerschein(?:nummer)?|fuhrerschein|führerschein-nr|permis\s+de\s+conduire|licencia\s+de\s+conducir|carnet\s+de\s+conducir|permiso\s+de\s+conducir|patente(?:\s+di\s+guida)?|carta\s+de\s+condução|carteira\s+de\s+motorista|cnh|rijbewijs(?:nummer)?`,
    token: String.raw`[A-Za-z0-9][A-Za-z0-9\-]{4,18}[A-Za-z0-9]`,
  },
  {
    classifier: 'postal_code',
    cues: String.raw`post\s?code|postal\s+code|zip(?:\s?code)?|plz|postleitzahl|code\s+postal|c[oó]digo\s+postal|codice\s+postale|c\.a\.p\.|cep`,
    token: String.raw`[A-Za-z]{1,2}\d[A-Za-z\d]?\s?\d[A-Za-z]{2}|\d{4}\s?[A-Za-z]{2}|\d{5}-\d{3}|\d{5}(?:-\d{4})?|\d{4}`,
  },
  {
    classifier: 'us_ssn',
    cues: String.raw`ssn|social\s+security(?:\s+number)?|soc\.?\s+sec\.?`,
    token: String.raw`\d{3}[\s.\-]?\d{2}[\s.\-]?\d{4}`,
  },
  {
    classifier: 'bank_account_number',
    cues: String.raw`(?:bank\s+)?account(?:\s+number|\s+no\.?|\s+#)?|acct(?:\s+no\.?|\s+#)?|kontonummer|konto(?:nr\.?)?|num[ée]ro\s+de\s+compte|n[úu]mero\s+de\s+cuenta|numero\s+di\s+conto|n[úu]mero\s+d[ae]\s+conta|rekeningnummer`,
    token: String.raw`\d[\d \-]{4,20}\d`,
  },
  {
    classifier: 'phone_number',
    cues: String.raw`phone|tel|mobile|cell|whatsapp|call\s+me(?:\s+(?:at|on))?|ring\s+me(?:\s+(?:at|on))?|text\s+me(?:\s+(?:at|on))?|reach\s+me(?:\s+(?:at|on))?|telefon(?:nummer)?|handy(?:nummer)?|ruf\s+mich\s+an(?:\s+unter)?|erreichbar\s+unter|téléphone|t[ée]l|portable|appelle[sz]?[\s-]moi(?:\s+au)?|tel[ée]fono|ll[áa]mame(?:\s+al)?|m[óo]vil|celular|chiamami(?:\s+al)?|cellulare|telem[óo]vel|ligue(?:[\s-]me)?(?:\s+para)?|bel\s+me(?:\s+op)?|telefoonnummer|mobiel`,
    token: String.raw`\+?\(?\d[\d\s().\-]{5,18}\d`,
  },
];

// National ids in prose ("my NHS number is 943 476 5919", "mi DNI es 12345678Z", "meine
// Steuer-ID ist 86095742719"): the cue names the scheme, and the token must pass that scheme's own
// validator (the check digit), as under a key that names it. A token that fails is not reported
// here: prose is not a key, and a cue word alone ("my PAN is pending") is not personal data.
const ID_DIGITS = String.raw`\d[\d \-:/.+]{6,20}\d`;
const ID_CHARS = String.raw`[A-Za-z0-9][A-Za-z0-9\-+]{6,18}[A-Za-z0-9]`;
const NATIONAL_KINDS: ReadonlyArray<readonly [string, string, string]> = [
  ['uk_nhs_number', String.raw`nhs(?:\s+(?:number|no\.?|num))?`, ID_DIGITS],
  ['ca_sin', String.raw`sin|social\s+insurance(?:\s+number)?|num[ée]ro\s+d'assurance\s+sociale|nas`, ID_DIGITS],
  ['au_tfn', String.raw`tfn|tax\s+file(?:\s+number)?`, ID_DIGITS],
  ['au_medicare', String.raw`medicare(?:\s+card)?(?:\s+number)?`, ID_DIGITS],
  ['in_aadhaar', String.raw`aadhaa?r(?:\s+card)?|uid`, ID_DIGITS],
  ['in_pan', String.raw`pan(?:\s+card)?|permanent\s+account\s+number`, ID_CHARS],
  ['in_voter_id', String.raw`voter\s+id(?:\s+card)?|epic`, ID_CHARS],
  ['es_dni_nie', String.raw`dni|nie|nif|documento\s+nacional\s+de\s+identidad`, ID_CHARS],
  ['fi_hetu', String.raw`hetu|henkilötunnus|henkilotunnus|personal\s+identity\s+code`, ID_CHARS],
  ['kr_rrn', String.raw`주민등록번호|외국인등록번호|resident\s+registration\s+number`, ID_DIGITS],
  ['pl_pesel', String.raw`pesel`, ID_DIGITS],
  ['se_personnummer', String.raw`personnummer|personnr|samordningsnummer`, ID_DIGITS],
  ['sg_nric', String.raw`nric|fin`, ID_CHARS],
  ['tr_tckn', String.raw`tc\s+kimlik(?:\s+no|\s+numaram|\s+numarası|\s+numarasi)?|kimlik\s+numaram|kimlik\s+numarası|tckn`, ID_DIGITS],
  ['it_codice_fiscale', String.raw`codice\s+fiscale|cod\.\s+fiscale`, ID_CHARS],
  ['za_id_number', String.raw`(?:south\s+african\s+|sa\s+|rsa\s+)?id\s+number|identity\s+number|identiteitsnommer`, ID_DIGITS],
  ['de_steuer_id', String.raw`steuer-?id|steueridentifikationsnummer|steuerliche\s+identifikationsnummer`, ID_DIGITS],
  ['de_rvnr', String.raw`rentenversicherungsnummer|sozialversicherungsnummer|sv-nummer|rv-nummer`, ID_CHARS],
  ['de_kvnr', String.raw`krankenversichertennummer|versichertennummer|kvnr`, ID_CHARS],
  ['th_national_id', String.raw`thai\s+(?:national\s+)?id|เลขประจำตัวประชาชน|บัตรประชาชน`, ID_DIGITS],
  ['us_itin', String.raw`itin|individual\s+taxpayer\s+identification\s+number`, ID_DIGITS],
  ['us_mbi', String.raw`mbi|medicare\s+beneficiary\s+identifier`, ID_CHARS],
];
const ALL_KINDS: readonly CueKind[] = [...KINDS, ...NATIONAL_KINDS.map(([classifier, cues, token]) => ({ classifier, cues, token }))];

const MAX_TEXT = 2000;

function hasDigit(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/**
 * Finds cue-led personal data in prose. Built from the compiled classifiers it checks tokens with;
 * a kind whose classifier is not loaded (disabled, overridden away) is left out.
 */
export class FreeTextScanner {
  private readonly any: RE2;
  private readonly kinds: Array<{ classifier: CompiledClassifier; extractor: RE2; detection: Detection }> = [];
  private readonly person: Detection | null;

  constructor(classifiers: readonly CompiledClassifier[]) {
    const cues: string[] = [];
    for (const kind of ALL_KINDS) {
      const classifier = classifiers.find((c) => c.id === kind.classifier);
      if (classifier === undefined) continue;
      cues.push(kind.cues);
      // The cue, then up to three filler words, then the token (group 1).
      const extractor = new RE2(
        String.raw`(?i)(?:^|[^\p{L}\p{N}])(?:${kind.cues})(?:[\s:#.,]*${FILLER}(?:[\s:#.,]|$))*[\s:#.,]*(${kind.token})(?:[^\p{L}\p{N}]|$)`,
        'gu',
      );
      const info = classifier.valueDetection.classifier;
      const detection: Detection = Object.freeze({
        classifier: info,
        matchedOn: 'value',
        confidence: classifier.confidence.keyAndValue * 0.9,
        matcher: `value free text: cue word + ${classifier.value.validatorNames.join('+') || 'pattern'}`,
      });
      this.kinds.push({ classifier, extractor, detection });
    }
    const names = classifiers.find((c) => c.id === 'person_name');
    this.person =
      names === undefined
        ? null
        : Object.freeze({
            classifier: names.valueDetection.classifier,
            matchedOn: 'value',
            confidence: 0.8,
            matcher: 'value free text: person name (compromise)',
          });
    this.any = new RE2(String.raw`(?i)(?:^|[^\p{L}\p{N}])(?:${cues.join('|') || 'a^'})(?:[^\p{L}\p{N}]|$)`, 'u');
  }

  /** Whether a string looks like prose worth reading: a few words. */
  static looksLikeText(text: string): boolean {
    if (text.length < 12 || text.length > MAX_TEXT) return false;
    const space = text.indexOf(' ');
    return space !== -1 && text.indexOf(' ', space + 1) !== -1;
  }

  /** The first cue-led token that its classifier confirms, a person's name (in `prose` fields), or null. */
  scan(text: string, prose = false): Detection | null {
    return (hasDigit(text) ? this.cued(text) : null) ?? (prose && this.person !== null && hasNamePair(text) && mentionsPerson(text) ? this.person : null);
  }

  /** Every cue-led kind found in the text, and a person's name (in `prose` fields): for prose that holds several. */
  scanAll(text: string, prose = false): Detection[] {
    const out: Detection[] = [];
    if (hasDigit(text) && this.any.test(text)) {
      for (const kind of this.kinds) if (this.kindIn(kind, text)) out.push(kind.detection);
    }
    if (prose && this.person !== null && hasNamePair(text) && mentionsPerson(text)) out.push(this.person);
    return out;
  }

  private kindIn(kind: { classifier: CompiledClassifier; extractor: RE2 }, text: string): boolean {
    kind.extractor.lastIndex = 0;
    for (let n = 0; n < 4; n++) {
      const match = kind.extractor.exec(text);
      if (match === null) return false;
      const token = (match[1] ?? '').trim();
      if (token !== '' && checkValue(kind.classifier, kind.classifier.id === 'us_ssn' ? token.replace(/[\s.]/g, '-') : token) === 'valid') return true;
      kind.extractor.lastIndex = match.index + 1;
    }
    return false;
  }

  private cued(text: string): Detection | null {
    if (!this.any.test(text)) return null;
    for (const kind of this.kinds) {
      kind.extractor.lastIndex = 0;
      for (let n = 0; n < 4; n++) {
        const match = kind.extractor.exec(text);
        if (match === null) break;
        const token = (match[1] ?? '').trim();
        if (token !== '' && checkValue(kind.classifier, kind.classifier.id === 'us_ssn' ? token.replace(/[\s.]/g, '-') : token) === 'valid')
          return kind.detection;
        // Resume after the cue: the next occurrence may be the one with a value.
        kind.extractor.lastIndex = match.index + 1;
      }
    }
    return null;
  }
}
