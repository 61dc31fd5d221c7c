// PII-dense Segment events from an independent generator: @faker-js/faker values (names, phones in
// many national and international formats, addresses, free text), key spellings chosen apart from
// the detector's classifiers and fixtures (camelCase, abbreviations, other languages), 8–12
// personal values per event. Seeded fresh per run (the seed is printed) so no run can be tuned to
// one sample; pass a seed to reproduce a run.
import { allFakers, faker as baseFaker } from '@faker-js/faker';

/** @typedef {import('@faker-js/faker').Faker} Faker */
/** @type {(keyof typeof allFakers)[]} */
const LOCALES = ['en_US', 'en_GB', 'de', 'fr', 'es', 'it', 'nl', 'pt_BR', 'en_AU', 'sv'];

/** A fresh seed (printed by the benchmark so a run can be reproduced). */
export function freshSeed() {
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

// Each personal field has several spellings; one is picked per field per event.
/** @type {Record<string, string[]>} */
const SPELL = {
  fullName: ['fullName', 'customerName', 'Name', 'contact_fullname', 'nombre', 'recipientName', 'holderName'],
  firstName: ['firstName', 'fname', 'given_name', 'Vorname', 'prenom'],
  lastName: ['lastName', 'lname', 'surname', 'family_name', 'Nachname'],
  email: ['emailAddress', 'mail', 'e_mail', 'contactEmail', 'userMail', 'courriel'],
  phone: ['phoneNumber', 'mobile', 'tel', 'cellPhone', 'contact_phone', 'telefon', 'msisdn'],
  street: ['streetAddress', 'addr1', 'address_line_1', 'strasse', 'rue'],
  zip: ['zipCode', 'postcode', 'plz', 'postalcode'],
  city: ['city', 'town', 'ort'],
  dob: ['birthDate', 'dateOfBirth', 'dob', 'geburtsdatum', 'birthday'],
  ip: ['clientIp', 'ipAddr', 'remote_addr', 'ipv4'],
  card: ['cardNumber', 'ccNum', 'pan', 'creditCard'],
  iban: ['ibanCode', 'bankIban', 'iban'],
  note: ['comment', 'feedbackText', 'supportMessage', 'notes', 'bemerkung', 'chatMessage'],
  ua: ['userAgent', 'ua'],
  geo: ['location', 'geo', 'coords'],
};

const EVENTS = [
  'Checkout Step Completed',
  'Account Created',
  'Profile Updated',
  'Support Ticket Opened',
  'Payment Info Entered',
  'Delivery Scheduled',
  'Lead Captured',
  'Review Submitted',
];

/** @param {Faker} f @param {string} field */
function spell(f, field) {
  return f.helpers.arrayElement(/** @type {string[]} */ (SPELL[field]));
}

/**
 * One personal value of `kind`, in a form faker gives (formats vary by locale).
 * @param {Faker} f
 * @param {string} kind
 */
function personal(f, kind) {
  switch (kind) {
    case 'fullName':
      return f.person.fullName();
    case 'firstName':
      return f.person.firstName();
    case 'lastName':
      return f.person.lastName();
    case 'email':
      return f.internet.email();
    case 'phone':
      return f.phone.number();
    case 'street':
      return f.location.streetAddress();
    case 'zip':
      return f.location.zipCode();
    case 'city':
      return f.location.city();
    case 'dob':
      return f.date.birthdate().toISOString().slice(0, 10);
    case 'ip':
      return f.datatype.boolean(0.85) ? f.internet.ipv4() : f.internet.ipv6();
    case 'card':
      return f.finance.creditCardNumber();
    case 'iban':
      return f.finance.iban();
    case 'note':
      return noteText(f);
    case 'geo':
      return { lat: f.location.latitude(), lng: f.location.longitude() };
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

/** Free text with personal data in it about a third of the time. @param {Faker} f */
function noteText(f) {
  const roll = f.number.int({ min: 0, max: 5 });
  if (roll === 0) return `Please call me back on ${f.phone.number()} after 5pm, ${f.person.firstName()}`;
  if (roll === 1) return `${f.lorem.sentence()} You can reach me at ${f.internet.email()}.`;
  return f.lorem.sentences(f.number.int({ min: 1, max: 2 }));
}

const KINDS = ['fullName', 'firstName', 'lastName', 'email', 'phone', 'street', 'zip', 'city', 'dob', 'ip', 'card', 'iban', 'note', 'geo'];
const COMMON = ['fullName', 'email', 'phone', 'note'];

/** A generator of dense events with its own faker per locale, seeded once. @param {number} seed */
export function createDenseGenerator(seed) {
  const fakers = LOCALES.map((name) => {
    const f = allFakers[name] ?? baseFaker;
    return f;
  });
  baseFaker.seed(seed);
  for (const [i, f] of fakers.entries()) f.seed(seed + i + 1);
  return function event() {
    const f = /** @type {Faker} */ (fakers[baseFaker.number.int({ min: 0, max: fakers.length - 1 })]);
    const count = f.number.int({ min: 8, max: 11 });
    // The common fields most events carry, then others at random (a field appears once per event).
    const kinds = [
      ...COMMON,
      ...f.helpers.arrayElements(
        KINDS.filter((k) => !COMMON.includes(k)),
        count - COMMON.length,
      ),
    ];
    /** @type {Record<string, unknown> & { shipping?: Record<string, unknown> }} */
    const props = {};
    /** @type {Record<string, unknown> & { shipping?: Record<string, unknown> }} */
    const traits = {};
    let pii = 0;
    for (const kind of kinds) {
      const into = f.datatype.boolean(0.5) ? props : traits;
      const key = spell(f, kind);
      // Some forms nest personal data (a shipping block, a contact block).
      if ((kind === 'street' || kind === 'zip' || kind === 'city') && f.datatype.boolean(0.6)) {
        (into.shipping ??= {})[key] = personal(f, kind);
      } else into[key] = personal(f, kind);
      pii += kind === 'geo' ? 2 : 1;
    }
    props.orderTotal = f.number.float({ min: 1, max: 900, fractionDigits: 2 });
    props.sku = f.string.alphanumeric(10).toUpperCase();
    props.itemCount = f.number.int({ min: 1, max: 9 });
    const base = {
      type: f.datatype.boolean(0.7) ? 'track' : 'identify',
      messageId: f.string.uuid(),
      anonymousId: f.string.uuid(),
      userId: f.string.alphanumeric(16),
      timestamp: f.date.recent({ days: 30 }).toISOString(),
      context: {
        library: { name: f.helpers.arrayElement(['analytics.js', 'analytics-ios', 'analytics-android']), version: f.system.semver() },
        locale: f.helpers.arrayElement(['en-US', 'de-DE', 'fr-FR', 'es-ES', 'en-GB', 'pt-BR']),
        userAgent: f.internet.userAgent(),
        ip: f.internet.ipv4(),
      },
    };
    if (base.type === 'track') return { event: { ...base, event: f.helpers.arrayElement(EVENTS), properties: { ...props, ...traits } }, pii: pii + 1 };
    return { event: { ...base, traits: { ...traits, ...props } }, pii: pii + 1 };
  };
}

/** `count` dense events as JSON lines, with the mean number of personal values per event. @param {number} count */
export function generateDenseCorpus(count, seed = freshSeed()) {
  const next = createDenseGenerator(seed);
  /** @type {string[]} */
  const lines = new Array(count);
  let pii = 0;
  for (let i = 0; i < count; i++) {
    const { event, pii: n } = next();
    pii += n;
    lines[i] = JSON.stringify(event);
  }
  return { lines, seed, piiPerEvent: pii / count };
}
