import { beforeAll, describe, expect, it } from 'vitest';
import { classifierSchema } from '../../src/detect/classifier-schema.js';
import { compileClassifier } from '../../src/detect/compile.js';
import { Detector } from '../../src/detect/index.js';
import { PathTrie, type Leaf } from '../../src/events/index.js';
import { builtinDetector } from './helpers.js';

let d: Awaited<ReturnType<typeof builtinDetector>>;
beforeAll(async () => {
  d = await builtinDetector();
});

type Case = [path: string, value: Leaf];

/** Asserts each case is classified as `id` (or as nothing when id is null). */
function expectAll(id: string | null, cases: Case[]) {
  for (const [path, value] of cases) {
    expect({ path, value, found: d.category(path, value) }).toEqual({ path, value, found: id });
  }
}

describe('key matching follows how real events name fields', () => {
  it('matches any case and separator style', () => {
    expectAll('email', [
      ['properties.email', 'jane@example.com'],
      ['properties.Email', 'jane@example.com'],
      ['properties.EMAIL_ADDRESS', 'jane@example.com'],
      ['properties.emailAddress', 'jane@example.com'],
      ['properties.email-address', 'jane@example.com'],
      ['properties["email address"]', 'jane@example.com'],
    ]);
  });

  it('accepts prefixes and suffixes that qualify the same thing', () => {
    expectAll('email', [
      ['properties.billing_email', 'jane@example.com'],
      ['properties.userEmail', 'jane@example.com'],
      ['traits.primary_email_value', 'jane@example.com'],
    ]);
    expectAll('phone_number', [['traits.mobile_phone_number', '+44 7911 123456']]);
  });

  it('expands abbreviations', () => {
    expectAll('street_address', [['traits.home_addr', '1 Main St']]);
    expectAll('phone_number', [
      ['traits.phone_no', '+1 415 555 2671'],
      ['traits.phone_num', '+1 415 555 2671'],
    ]);
    expectAll('date_of_birth', [['traits.dob', '1985-04-12']]);
    expectAll('person_name', [
      ['traits.fname', 'Jane'],
      ['traits.lname', 'Doe'],
    ]);
  });

  it('corrects common misspellings', () => {
    expectAll('email', [['properties.emial', 'jane@example.com']]);
    expectAll('ip_address', [['properties["ip adrs"]', '10.1.2.3']]);
    expectAll('street_address', [['traits.adress', '1 Main St']]);
    expectAll('phone_number', [['traits.phne_number', '+1 415 555 2671']]);
  });

  it('splits glued words only into known words', () => {
    expectAll('ip_address', [['properties.ipaddress', '10.1.2.3']]);
    expectAll('postal_code', [['traits.zipcode', '94107']]);
    expectAll('person_name', [['traits.firstname', 'Jane']]);
  });

  it('uses the parent key when the leaf key is generic', () => {
    expectAll('phone_number', [['traits.phone.number', '4155552671']]);
    expectAll('street_address', [['traits.address.line1', '1 Main St']]);
  });

  it('explains which phrase fired, including fuzzy corrections', () => {
    const detection = d.detect('properties.emial', 'jane@example.com');
    expect(detection).toMatchObject({ matchedOn: 'key+value' });
    expect(detection!.matcher).toContain('fuzzy: "emial" ≈ "email"');
    expect(detection!.confidence).toBeGreaterThan(0.9);
  });
});

describe('key matching does not flag look-alikes', () => {
  it('names of things that are not people', () => {
    expectAll(null, [
      ['properties.page_name', 'Home'],
      ['properties.store_name', 'Downtown'],
      ['event_name', 'Signed Up'],
      ['properties.product_name', 'Blue Shirt'],
      ['properties.name', 'Blue Shirt'],
      ['properties.products[].name', 'Blue Shirt'],
      ['name', 'Home'],
      ['properties.username', 'janedoe'],
    ]);
    expectAll('person_name', [
      ['traits.name', 'Jane Doe'],
      ['properties.customer_name', 'Jane Doe'],
    ]);
  });

  it('flags and counters about personal data rather than the data', () => {
    expectAll(null, [
      ['properties.email_subscribed', true],
      ['properties.email_open_rate', 0.4],
      ['properties.email_verified', false],
      ['properties.has_email', true],
      ['properties.password_changed', true],
      ['properties.phone_verified_at', '2024-01-01T00:00:00Z'],
      ['properties.emails_sent', 12],
    ]);
  });

  it('device models and other words about a device', () => {
    expectAll(null, [
      ['properties.phone_os', 'Android'],
      ['properties.phone_model', 'Pixel 8'],
      ['context.device.type', 'mobile'],
      ['properties.mac_os_version', '14.1'],
    ]);
  });

  it('substrings inside other words', () => {
    expectAll(null, [
      ['properties.membership_tier', 'gold'],
      ['properties.machine_type', 'x86'],
      ['properties.platform', 'ios'],
      ['properties.passenger_count', '2'],
      ['properties.compass_heading', 'N'],
      ['properties.timezone', 'Europe/Paris'],
      ['properties.app_state', 'background'],
      ['properties.mailchimp_id', 'abc123'],
      ['properties.ssid', 'HomeWifi'],
      ['properties.orientation', 'landscape'],
      ['properties.wallet_address', '0x52908400098527886E0F7030069857D2E4169EE7'],
      ['properties.description', 'Great product'],
    ]);
  });

  it('a key whose value contradicts the classifier is not reported as that category', () => {
    expectAll(null, [
      ['properties.passport', 'US'],
      ['properties.passport', 'GBR'],
      ['properties.zip', 'gzip'],
      ['properties.card', 'visa'],
      ['properties.gender', 'enabled'],
      ['context.device.advertisingId', '00000000-0000-0000-0000-000000000000'],
      ['properties.phone', 'Android'],
      ['traits.birthday', '2024-01-15T10:00:00Z'],
    ]);
  });
});

describe('value detection finds personal data under names that say nothing', () => {
  it('an email in username, a phone in a comment, a card in ref', () => {
    expect(d.detect('properties.username', 'jane.doe@example.com')).toMatchObject({ classifier: { id: 'email' }, matchedOn: 'value' });
    expect(d.detect('properties.comment', 'please call me on +1 415-555-2671 after 5pm')).toMatchObject({
      classifier: { id: 'phone_number' },
      matchedOn: 'value',
    });
    // The 00 international prefix, as Europe dials it; grouped digits after 00 that no country owns are not phones.
    expect(d.detect('properties.comment', 'ring me on 0044 20 7946 0018 tonight')).toMatchObject({ classifier: { id: 'phone_number' }, matchedOn: 'value' });
    expect(d.category('properties.comment', 'order 0012 3456 7890 shipped')).toBeNull();
    expect(d.detect('properties.ref', '4111 1111 1111 1111')).toMatchObject({ classifier: { id: 'credit_card_number' }, matchedOn: 'value' });
    expect(d.detect('properties.ref', 4242424242424242)).toMatchObject({ classifier: { id: 'credit_card_number' }, matchedOn: 'value' });
    expect(d.detect('properties.note', 'IBAN GB82 WEST 1234 5698 7654 32 thanks')).toMatchObject({ classifier: { id: 'iban' } });
    expect(d.detect('properties.device', '00:1A:2B:3C:4D:5E')).toMatchObject({ classifier: { id: 'mac_address' } });
    expect(d.detect('properties.x', '203.0.113.7')).toMatchObject({ classifier: { id: 'ip_address' } });
    expect(d.detect('context.page.url', 'https://shop.example.com/checkout?email=grace.ritchie1%40example.com')).toMatchObject({
      classifier: { id: 'email' },
      matchedOn: 'value',
    });
    expect(d.detect('properties.header', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U')).toMatchObject({
      classifier: { id: 'auth_token' },
    });
  });

  it('rejects value look-alikes', () => {
    expectAll(null, [
      ['properties.shipment_id', '4111111111111112'],
      ['properties.ts', 1700000000123],
      ['properties.ts', '1700000000'],
      ['properties.id', '3f2b6c1e-8e0a-4b8f-9d7c-2a1b3c4d5e6f'],
      ['properties.sdk_version', '10.0.0.1'],
      ['context.library.version', '10.0.0.1'],
      ['properties.hash', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['properties.sha', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ['properties.tracking_number', '1Z999AA10123456784'],
      ['properties.product_id', '4155552671'],
      ['properties.sku', 1234567890],
      ['timestamp', '2024-05-01T10:00:00.000Z'],
      ['properties.asset', 'logo@2x.png'],
      ['properties.price', 1999],
    ]);
  });

  it('prefers the riskier classifier when a value fits two', () => {
    // A dashed SSN also looks like a (bad) phone number; the red classifier wins.
    expect(d.category('properties.x', '536-22-1234')).toBe('us_ssn');
  });
});

describe('keys and values that look like JavaScript internals are ordinary data', () => {
  it('classifies keys spelt like Object members without failing', () => {
    expectAll(null, [
      ['properties.constructor', 'blue'],
      ['properties.constructorId', 'x1'],
      ['properties.toString', 'y'],
      ['properties.__proto__name', 'z'],
      ['properties.ipconstructor', 'w'],
    ]);
    expectAll('email', [['properties.constructor_note', 'jane@example.com']]);
  });

  it('finds a card written in dashed groups of 20+ characters (not skipped as a hex id)', () => {
    expectAll('credit_card_number', [['properties.note', '6205-5000-0000-0000-004']]);
    expectAll(null, [['properties.request_id', '9f1c2a7e-55b0-4c1e-8d2f-0a1b2c3d4e5f6071']]);
  });
});

describe('values that are easy to misread for another kind of data', () => {
  it('finds IBANs of countries whose code is hex letters (DE, BE) under any key: not skipped as hex digests', () => {
    expectAll('iban', [
      ['properties.ref', 'DE44500105175407324931'],
      ['properties.x', 'BE71096123456769'],
      ['properties.note', 'refund to DE44 5001 0517 5407 3249 31 please'],
    ]);
    // Real digests still are skipped, whatever letters they open with.
    expectAll(null, [
      ['properties.etag', 'de12a9f0b3c4d5e6f7081a2b3c4d5e6f'],
      ['properties.x', 'DE12A9F0B3C4D5E6F7081A2B3C4D5E6F'],
    ]);
  });

  it('reads a +-prefixed international number as a phone, never as a card that passes Luhn by chance', () => {
    // 4915112345678 is a 13-digit Visa-range number that passes Luhn; with its + it is a German mobile.
    expectAll('phone_number', [['properties.x', '+4915112345678']]);
    expectAll('credit_card_number', [
      ['properties.x', '4111111111111111'],
      ['properties.note', 'paid with 4111 1111 1111 1111, thanks'],
    ]);
  });
});

describe('a group call describes a group', () => {
  it("does not read a group's traits.name as a person's name", () => {
    expect(d.category('traits.name', 'Acme Inc', 'group')).toBeNull();
    expect(d.category('traits.name', 'Jane Doe')).toBe('person_name');
  });

  it("still finds contact data in a group's traits and the user's traits in its context", () => {
    expect(d.category('traits.email', 'billing@acme.example.com', 'group')).toBe('email');
    expect(d.category('traits.phone', '+1 415 555 2671', 'group')).toBe('phone_number');
    expect(d.category('context.traits.name', 'Jane Doe', 'group')).toBe('person_name');
  });
});

describe('every decision is explainable', () => {
  it('reports key, value or both, with confidence and matcher', () => {
    expect(d.detect('traits.email', 'jane@example.com')).toMatchObject({ matchedOn: 'key+value', confidence: 0.99 });
    expect(d.detect('properties.password', 'hunter2')).toMatchObject({ matchedOn: 'key', classifier: { classification: 'red' } });
    expect(d.detect('properties.username', 'jane@example.com')).toMatchObject({ matchedOn: 'value', matcher: 'value pattern + validator email' });
  });

  it('never puts the value in the explanation', () => {
    const detection = d.detect('properties.username', 'jane@example.com');
    expect(detection!.matcher).not.toContain('jane');
  });
});

describe('built-in classifications', () => {
  it('red for government ids, financial accounts, credentials and special categories', () => {
    const red = [
      'us_ssn',
      'national_id',
      'passport_number',
      'drivers_license',
      'credit_card_number',
      'card_security_code',
      'iban',
      'bank_account_number',
      'password',
      'auth_token',
      'health',
      'race_ethnicity',
      'religion',
      'sexual_orientation',
      'biometric',
      'political_opinion',
      'trade_union',
      'genetic',
      'criminal_record',
    ];
    const yellow = [
      'email',
      'phone_number',
      'ip_address',
      'person_name',
      'street_address',
      'postal_code',
      'date_of_birth',
      'geo_coordinates',
      'mac_address',
      'gender',
      'advertising_id',
      'device_id',
    ];
    const byId = new Map(d.detector.classifiers.map((c) => [c.id, c.classification]));
    for (const id of red) expect([id, byId.get(id)]).toEqual([id, 'red']);
    for (const id of yellow) expect([id, byId.get(id)]).toEqual([id, 'yellow']);
  });

  it('the rest of GDPR art. 9 and 10 is found by key: political opinions, union membership, genetic data, sex life, criminal records', () => {
    expectAll('political_opinion', [
      ['traits.political_party', 'Green'],
      ['traits.political_affiliation', 'left'],
    ]);
    expectAll('trade_union', [
      ['traits.union_member', true],
      ['traits.trade_union', 'Unite'],
    ]);
    expectAll('genetic', [
      ['traits.genotype', 'AA'],
      ['traits.dna_profile', 'rs4680'],
      ['traits.genetic_test_result', 'BRCA1 negative'],
    ]);
    expectAll('sexual_orientation', [['traits.sex_life', 'active']]);
    expectAll('criminal_record', [
      ['traits.criminal_record', 'none'],
      ['traits.criminal_convictions', 'none'],
    ]);
    // Look-alikes: parties, unions and DNA that are not a person's.
    expectAll(null, [
      ['properties.party_size', 4],
      ['properties.third_party', true],
      ['properties.union_type', 'struct'],
      ['properties.brand_dna', 'bold'],
      ['properties.conviction', 'high'],
      ['properties.political_ad', true],
    ]);
  });

  it('special categories are found by key', () => {
    expectAll('health', [
      ['traits.hiv_positive', true],
      ['traits.hivStatus', 'negative'],
      ['traits.medical_conditions', 'asthma'],
      ['properties.allergies[]', 'peanuts'],
      ['traits.is_pregnant', true],
      ['traits.medications', 'insulin'],
    ]);
    expectAll('race_ethnicity', [['traits.ethnicity', 'Hispanic']]);
    expectAll('religion', [['traits.religion', 'Buddhist']]);
    expectAll('sexual_orientation', [['traits.sexual_orientation', 'bisexual']]);
    expectAll('biometric', [
      ['traits.fingerprint_template', 'AAEC…'],
      ['traits.face_id', 'b64data'],
    ]);
    expectAll(null, [
      ['properties.device_fingerprint', 'abc'],
      ['properties.app_health', 'ok'],
      ['properties.health_check', 'pass'],
      ['properties.item_condition', 'new'],
      ['properties.price_std', 'x'],
      ['properties.std_dev', 2.5],
    ]);
  });

  it('finds card security codes, which PCI DSS forbids storing, only as 3 or 4 digits under a key that says so', () => {
    expectAll('card_security_code', [
      ['properties.cvv', '483'],
      ['properties.payment.card.cvc', 4831],
      ['properties.card_cvv2', '483'],
      ['properties.security_code', '4831'],
    ]);
    expectAll(null, [
      ['properties.cvv_checked', true],
      ['properties.cvc_result', 'M'],
      ['properties.cvv', '12'],
      ['properties.cid', '555.1234'],
      ['properties.x', '483'],
    ]);
    // Codes of other things: a gift card's or a voucher's code is not a card's CVV.
    expectAll(null, [
      ['properties.gift_card_code', '1234'],
      ['properties.gift_card_security_code', '1234'],
      ['properties.card_code', '123'],
      ['properties.promo_code', '1234'],
    ]);
  });

  it('finds national identity and tax numbers under keys that say so, and not their flags, types or rates', () => {
    expectAll('national_id', [
      ['traits.national_id', '1234567890'],
      ['traits.tax_id', '12-3456789'],
      ['traits.nin', 'QQ123456C'],
      ['traits.cpf', '123.456.789-09'],
    ]);
    // Countries with their own classifier take their keys, even for a value whose check digit is off.
    expectAll('in_aadhaar', [['traits.aadhaar', '2345 6789 0123']]);
    expectAll('es_dni_nie', [['traits.dni', 12345678]]);
    expectAll(null, [
      ['traits.tax_id_verified', true],
      ['properties.tax_rate', 0.2],
      ['traits.national_id_type', 'passport'],
      ['properties.tax', 12.5],
      ['properties.sin', 0.5],
    ]);
  });

  it("finds device identifiers under keys that say so, and not a device's type, model, name or a zeroed id", () => {
    expectAll('device_id', [
      ['context.device.id', '8f14e45f-ceea-467f-a0e6-0c2b1f2c9a0b'],
      ['properties.android_id', '9774d56d682e549c'],
      ['properties.installation_id', 'dGhpcyBpcyBhbiBpZA-_123'],
      ['properties.imei', 490154203237518],
    ]);
    expectAll(null, [
      ['context.device.id', '00000000-0000-0000-0000-000000000000'],
      ['context.device.id', 'unknown'],
      ['context.device.model', 'iPhone15,2'],
      ['properties.device_id_type', 'idfv'],
      ['properties.device_count', 3],
    ]);
    // An advertising id stays an advertising id.
    expectAll('advertising_id', [['context.device.advertisingId', '8f14e45f-ceea-467f-a0e6-0c2b1f2c9a0b']]);
  });

  it('takes passport and licence numbers sent as JSON numbers', () => {
    expectAll('passport_number', [['traits.passport', 536219874]]);
    expectAll('drivers_license', [['traits.driver_license', 536219874]]);
  });

  it('covers the remaining identifiers', () => {
    expectAll('geo_coordinates', [
      ['context.location.latitude', 37.7749],
      ['context.location.longitude', '-122.4194'],
    ]);
    expectAll(null, [
      ['context.location.latitude', 0],
      ['properties.long_description', 'A very long text'],
    ]);
    // Broad location words count only for a value that is coordinates.
    expectAll('geo_coordinates', [
      ['properties.coords', '48.8566,2.3522'],
      ['properties.location', '48.8566, 2.3522'],
      ['traits.geo', '48.85661 2.35222'],
    ]);
    expectAll(null, [
      ['properties.location', 'Paris'],
      ['properties.store_location', 'Downtown'],
      ['properties.video_position', 42.125],
    ]);
    expectAll('drivers_license', [['traits.drivers_license_number', 'D1234567']]);
    expectAll('bank_account_number', [['traits.bank_account_number', '000123456789']]);
    expectAll('advertising_id', [['context.device.advertisingId', '6D92078A-8246-4BA4-AE5B-76104861E7DC']]);
    expectAll('gender', [
      ['traits.gender', 'female'],
      ['traits.sex', 'M'],
    ]);
    expectAll('date_of_birth', [
      ['traits.birthday', '1990-02-28'],
      ['traits.date_of_birth', '12/31/1970'],
    ]);
  });
});

/** A detector over one classifier built from a definition (defaults filled in as from YAML). */
function detectorOf(definition: Record<string, unknown>) {
  const classifier = compileClassifier(classifierSchema.parse({ name: 'Test', classification: 'yellow', category: 'user', ...definition }), 'test.yaml');
  const detector = new Detector([classifier]);
  const trie = new PathTrie();
  return (path: string, value: Leaf) => detector.detect(trie.resolve(path), value);
}

describe('keyNeeds: pattern — a value pattern matches the whole value', () => {
  const loyalty = {
    id: 'loyalty_number',
    key: { names: ['loyalty number'] },
    // An alternation: anchoring must wrap all of it, not only its first and last branch.
    value: { patterns: ['LY-\\d{8}|MB-\\d{6}'] },
    confidence: { key: 0.6, keyAndValue: 0.97, keyNeeds: 'pattern' },
  };

  it('the key match stands on a value the pattern matches whole, trimmed', () => {
    const detect = detectorOf(loyalty);
    for (const value of ['LY-12345678', 'MB-123456', '  LY-12345678 ']) {
      expect(detect('properties.loyalty_number', value)).toMatchObject({ classifier: { id: 'loyalty_number' }, matchedOn: 'key+value' });
    }
  });

  it('a match on part of the value contradicts the key', () => {
    const detect = detectorOf(loyalty);
    for (const value of ['LY-12345678 (gold)', 'card LY-12345678', 'LY-123456789', 'xMB-123456', 'MB-123456 extra', 'none']) {
      expect({ value, found: detect('properties.loyalty_number', value) }).toEqual({ value, found: null });
    }
  });

  it('a pattern that quotes to its end (\\Q…) is anchored too', () => {
    const detect = detectorOf({ ...loyalty, value: { patterns: ['\\QLY-1.2'] } });
    expect(detect('properties.loyalty_number', 'LY-1.2')).toMatchObject({ matchedOn: 'key+value' });
    expect(detect('properties.loyalty_number', 'LY-1.23')).toBeNull();
    expect(detect('properties.loyalty_number', 'LY-1x2')).toBeNull();
  });

  it('with validators: a whole-value shape the validators refuse stands on the key alone; a part never stands', () => {
    const detect = detectorOf({
      id: 'member_card',
      key: { names: ['member card'] },
      value: { patterns: ['\\d{16}'], validators: ['luhn'] },
      confidence: { key: 0.6, keyAndValue: 0.97, keyNeeds: 'pattern' },
    });
    expect(detect('properties.member_card', '4111111111111111')).toMatchObject({ matchedOn: 'key+value', confidence: 0.97 });
    expect(detect('properties.member_card', '4111111111111112')).toMatchObject({ matchedOn: 'key', confidence: 0.6 });
    expect(detect('properties.member_card', 'card 4111111111111112')).toBeNull();
    expect(detect('properties.member_card', '4111111111111112 x')).toBeNull();
  });

  it('built-in classifiers: a code, a URL or prose under a name, address or token key is not that data', () => {
    expectAll(null, [
      ['traits.first_name', 'user_123'],
      ['traits.name', 'N/A 42'],
      ['traits.address', 'https://example.com/account'],
      ['traits.address', '12345'],
      ['properties.access_token', 'not configured yet'],
      ['traits.phone', 'call me maybe'],
    ]);
    // Contradicted under its key, the value is still scanned: the email in a name field is an email.
    expect(d.detect('traits.name', 'jane@example.com')).toMatchObject({ classifier: { id: 'email' }, matchedOn: 'value' });
    expect(d.detect('traits.email', 'Jane Doe <jane@example.com>')).toMatchObject({ classifier: { id: 'email' }, matchedOn: 'value' });
  });

  it('built-in classifiers: whole values in their usual forms stand', () => {
    expectAll('person_name', [
      ['traits.name', "Mary-Jane O'Brien"],
      ['traits.name', 'J. R. R. Tolkien'],
      ['traits.last_name', 'García'],
      ['traits.name', 'Doe, Jane'],
    ]);
    expectAll('street_address', [
      ['traits.address', 'Flat 3/2, 10 Downing Street'],
      ['traits.address', "Rue de l'Église 5"],
      ['traits.address', '1600 Amphitheatre Pkwy #100'],
    ]);
    expectAll('auth_token', [
      ['properties.authorization', 'Bearer abcdefgh12345678'],
      ['properties.api_key', 'sk_test_abcdef123456'],
      ['properties.private_key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEabc+/=\n-----END RSA PRIVATE KEY-----'],
    ]);
    expect(d.detect('traits.phone', '+1 415 555 2671 ext. 12')).toMatchObject({ classifier: { id: 'phone_number' }, matchedOn: 'key+value' });
    expectAll('gender', [['traits.gender', ' female ']]);
  });
});

describe('confidence.threshold — decisions below it are not reported', () => {
  const base = { id: 'loyalty_number', key: { names: ['loyalty number'] }, value: { patterns: ['LY-\\d{8}'], scan: true } };

  it('a key+value decision below the threshold is not reported; the key-only one is when it reaches it', () => {
    const keyOnly = detectorOf({ ...base, confidence: { key: 0.6, value: 0.8, keyAndValue: 0.55, threshold: 0.58, keyNeeds: 'pattern' } });
    expect(keyOnly('properties.loyalty_number', 'LY-12345678')).toMatchObject({ matchedOn: 'key', confidence: 0.6 });
    const neither = detectorOf({ ...base, confidence: { key: 0.4, value: 0.8, keyAndValue: 0.45, threshold: 0.5, keyNeeds: 'pattern' } });
    expect(neither('properties.loyalty_number', 'LY-12345678')).toBeNull();
  });

  it('a value-only decision below the threshold is not reported: the classifier does not scan', () => {
    const below = detectorOf({ ...base, confidence: { key: 0.6, value: 0.45, keyAndValue: 0.97, threshold: 0.5 } });
    expect(below('properties.note', 'card LY-12345678')).toBeNull();
    // Its key decisions are unaffected.
    expect(below('properties.loyalty_number', 'LY-12345678')).toMatchObject({ matchedOn: 'key+value', confidence: 0.97 });
    const at = detectorOf({ ...base, confidence: { key: 0.6, value: 0.5, keyAndValue: 0.97, threshold: 0.5 } });
    expect(at('properties.note', 'card LY-12345678')).toMatchObject({ matchedOn: 'value', confidence: 0.5 });
  });

  it('a key-only decision below the threshold is not reported, a key+value one above it is', () => {
    const detect = detectorOf({ ...base, confidence: { key: 0.4, value: 0.8, keyAndValue: 0.9, threshold: 0.5, keyNeeds: 'type' } });
    expect(detect('properties.loyalty_number', 'pending')).toBeNull();
    expect(detect('properties.loyalty_number', 'LY-12345678')).toMatchObject({ matchedOn: 'key+value', confidence: 0.9 });
  });
});
