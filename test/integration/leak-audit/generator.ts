// The leak audit's corpus: PII-dense Segment events with ground truth, generated from a fresh seed
// on every run (print it; replay with SEED=...). Written apart from the unit fixtures and from the
// classifiers: it knows the data formats (Luhn, ISO 13616 mod-97, SSA rules), not how detection
// works, so it cannot be tuned to what the detector already catches.

/** mulberry32: small, seedable, good enough to vary a corpus. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Truth {
  /** Values that must reach no destination, log line or store file. */
  red: Set<string>;
  /** Values `analytics` (hashing yellow) must never receive raw. */
  yellow: Set<string>;
  /** Emails at `properties.email` the email provider (approved for email) must still receive: messageId → email. */
  deliverEmail: Map<string, string>;
  /** Green values that must be kept: messageId → path → value. */
  green: Map<string, Record<string, string | number>>;
}

export interface Corpus {
  seed: number;
  events: Array<Record<string, any>>;
  truth: Truth;
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Shafi'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Goldwasser'];
const PLANS = ['free', 'pro', 'team', 'enterprise'];
const CURRENCIES = ['EUR', 'USD', 'GBP'];

// Key spellings seen in real tracking plans. Red keys name their category exactly.
const CARD_KEYS = ['card_number', 'cardNumber', 'credit_card_number', 'cc_number', 'creditcard'];
const SSN_KEYS = ['ssn', 'SSN', 'social_security_number'];
const IBAN_KEYS = ['iban', 'IBAN', 'iban_number'];
const QUIET_KEYS = ['payout_target', 'dest', 'beneficiary_ref'];
const PASSWORD_KEYS = ['password', 'new_password', 'user_password'];
const EMAIL_KEYS = ['contact_email', 'userEmail', 'email_address'];
const PHONE_KEYS = ['phone', 'phone_number', 'mobile'];

export function generateCorpus(seed: number, count = 300): Corpus {
  const r = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
  const truth: Truth = { red: new Set(), yellow: new Set(), deliverEmail: new Map(), green: new Map() };
  const red = (v: string) => (truth.red.add(v), v);
  const yellow = (v: string) => (truth.yellow.add(v), v);

  /** A Luhn-valid PAN of `length` digits with an issuer prefix (Visa 4, Mastercard 51-55/2221-2720). */
  const pan = (length: number) => {
    const prefix = pick(['4', `5${1 + Math.floor(r() * 5)}`, String(2221 + Math.floor(r() * 500))]);
    const body = prefix + digits(length - prefix.length - 1);
    return body + luhnDigit(body);
  };
  /** A Visa PAN (prefix 4): the one issuer range every card validator has known for decades. */
  const visa16 = () => {
    const body = `4${digits(14)}`;
    return body + luhnDigit(body);
  };
  const grouped = (number: string) => (r() < 0.5 ? number.replace(/(\d{4})(?=\d)/g, '$1 ') : r() < 0.5 ? number.replace(/(\d{4})(?=\d)/g, '$1-') : number);
  /** An SSN the SSA could issue: area 001-899 except 666, group 01-99, serial 0001-9999. */
  const ssn = () => {
    let area = 1 + Math.floor(r() * 899);
    if (area === 666) area = 667;
    const group = 1 + Math.floor(r() * 99);
    const serial = 1 + Math.floor(r() * 9999);
    return `${String(area).padStart(3, '0')}-${String(group).padStart(2, '0')}-${String(serial).padStart(4, '0')}`;
  };
  /** An IBAN with a valid mod-97 check (ISO 13616) for a country layout every validator knows. */
  const iban = (): string => {
    const country = pick(['DE', 'GB', 'FR', 'NL']);
    const bban =
      country === 'DE'
        ? digits(18)
        : country === 'FR'
          ? digits(23)
          : country === 'GB'
            ? `${pick(['NWBK', 'BARC', 'MIDL'])}${digits(14)}`
            : `${pick(['ABNA', 'RABO', 'INGB'])}${digits(10)}`;
    return ibanOf(country, bban);
  };
  /** Also under red keys: an IBAN of a layout a validator may not know yet (letters in the BBAN, SA/BH/MD). */
  const oddIban = (): string =>
    ibanOf(pick(['SA', 'BH', 'MD', 'LB', 'GI', 'KZ']), `${pick(['NCBK', 'AG', 'RB', '0999'])}${digits(12)}${pick(['X', 'AB', ''])}`);
  const email = (first: string, last: string) => `${first}.${last}${digits(3)}@${pick(['example.com', 'mail.example.org', 'corp.example.net'])}`.toLowerCase();
  const phone = () => `+44 20 7946 ${digits(4)}`;

  const events: Array<Record<string, any>> = [];
  for (let i = 0; i < count; i++) {
    const messageId = `leak-${seed}-${i}`;
    const first = pick(FIRST);
    const last = pick(LAST);
    const mail = email(first, last);
    const greens = { 'properties.plan': pick(PLANS), 'properties.currency': pick(CURRENCIES), 'properties.quantity': 1 + Math.floor(r() * 9) };
    const properties: Record<string, any> = {
      plan: greens['properties.plan'],
      currency: greens['properties.currency'],
      quantity: greens['properties.quantity'],
    };
    properties.email = yellow(mail);
    truth.deliverEmail.set(messageId, mail);
    properties[pick(PHONE_KEYS)] = yellow(phone());
    properties.first_name = yellow(first + pick(['', 'ia', 'ette']));
    properties[pick(EMAIL_KEYS)] = yellow(email(last, first));
    const kind = i % 6;
    if (kind === 0) {
      // A card under a card key: any valid PAN length 13-19, grouped or not (the validator may refuse some; the key does not).
      properties[pick(CARD_KEYS)] = red(grouped(pan(pick([13, 14, 15, 16, 16, 16, 19]))));
    } else if (kind === 1) {
      // SSNs dashed, and undashed under an SSN key.
      const value = ssn();
      properties[pick(SSN_KEYS)] = red(r() < 0.5 ? value : value.replace(/-/g, ''));
    } else if (kind === 2) {
      // IBANs under IBAN keys, odd layouts included; under quiet keys, layouts any validator knows.
      properties[pick(IBAN_KEYS)] = red(r() < 0.5 ? iban() : oddIban());
      properties[pick(QUIET_KEYS)] = red(iban());
    } else if (kind === 3) {
      // Nested arrays: cards in a list of payment methods, IBANs in a list of accounts.
      properties.payment_methods = [
        { type: 'card', card_number: red(grouped(pan(16))) },
        { type: 'card', card_number: red(grouped(pan(16))) },
      ];
      properties.accounts = [{ iban: red(iban()), primary: true }];
    } else if (kind === 4) {
      // Hidden in free text: an SSN (dashed) or a card number (grouped, Luhn-valid) in a note.
      const secret = r() < 0.5 ? red(ssn()) : red(visa16().replace(/(\d{4})(?=\d)/g, '$1 '));
      properties.comment = `Customer says: please use ${secret} for the refund, thanks`;
      properties.note = `Contact ${yellow(email(first, 'notes'))} about the order`;
    } else {
      properties[pick(PASSWORD_KEYS)] = red(`${pick(['hunter', 'correct-horse', 'Tr0ub4dor'])}-${digits(6)}!`);
    }
    truth.green.set(messageId, greens);
    events.push({ type: 'track', event: pick(['Order Completed', 'Payout Requested', 'Signed Up']), messageId, userId: `user-${seed}-${i % 40}`, properties });
  }
  return { seed, events, truth };
}

function luhnDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** ISO 13616: check digits so that BBAN + country + check, letters as 10-35, is 1 mod 97. */
function ibanOf(country: string, bban: string): string {
  const numeric = (s: string) => s.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const ch of numeric(`${bban}${country}00`)) rest = (rest * 10 + Number(ch)) % 97;
  return `${country}${String(98 - rest).padStart(2, '0')}${bban}`;
}

/** A fresh seed per run unless SEED says which run to replay. */
export function auditSeed(): number {
  const fromEnv = process.env.SEED;
  if (fromEnv !== undefined && fromEnv !== '') {
    const seed = Number(fromEnv);
    if (!Number.isSafeInteger(seed)) throw new Error(`SEED must be an integer, got "${fromEnv}"`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
}
