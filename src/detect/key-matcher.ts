import { isAdjacentSwap, wordSimilarity } from './fuzzy.js';
import { ABBREVIATIONS, GENERIC_WORDS, REPRESENTATION_WORDS, splitWords } from './key-words.js';

/** What key matching needs to know about a classifier. */
export interface KeyMatchable {
  id: string;
  priority: number;
  key: {
    names: string[];
    synonyms: string[];
    qualified: Array<{ term: string; qualifiers: string[]; standalone: boolean | string[] }>;
    exclude: string[];
    /** Absent in sets built before the field existed: nothing excluded. */
    excludeUnder?: string[];
    fuzzy: { enabled: boolean; threshold: number };
    headOnly: boolean;
  };
}

export interface KeyMatch<C extends KeyMatchable> {
  classifier: C;
  /** Human-readable: which phrase fired and how. Keys are schema, not personal data, so they may appear. */
  matcher: string;
  /** How many words of the key the phrase covered (longer = more specific). */
  length: number;
  fuzzy: boolean;
}

interface Phrase<C> {
  classifier: C;
  words: string[];
  text: string;
  kind: 'name' | 'synonym' | 'qualified';
  qualifiers?: ReadonlySet<string>;
  standalone?: boolean | ReadonlySet<string>;
}

interface Word {
  word: string;
  /** Set when the word is a corrected misspelling. */
  fuzzy?: { from: string; similarity: number };
  /**
   * Vocabulary words this unknown word may be short for (`soc` → social, `nm` → name, number).
   * Which one it is, if any, is decided by the phrase around it.
   */
  abbreviates?: readonly string[];
}

const MAX_WORD_CACHE = 50_000;
const MIN_FUZZY_SIMILARITY = 0.7;
const MAX_ABBREVIATION = 6;
const NUMBER = 'number';

/**
 * Matches property keys against classifier phrases. A key names a thing by its last words (its
 * head): `billing_email` is an email, `email_subscribed` is a flag about one, `page_name` is not a
 * person. Misspellings are corrected against the vocabulary of all phrases; glued words
 * (`ipaddress`, `zipcode`) are split only when every piece is a known word, so `membership` never
 * yields `ip`. Results are meant to be cached per path by the caller; word resolution is cached here.
 */
export class KeyMatcher<C extends KeyMatchable> {
  private readonly byLastWord = new Map<string, Phrase<C>[]>();
  private readonly anywhere: Phrase<C>[] = [];
  private readonly excludes = new Map<C, string[][]>();
  private readonly excludesUnder = new Map<C, string[][]>();
  private readonly vocabulary = new Set<string>();
  private readonly wordCache = new Map<string, Word[]>();

  constructor(classifiers: readonly C[]) {
    for (const classifier of classifiers) {
      const add = (text: string, kind: Phrase<C>['kind'], extra: Partial<Phrase<C>> = {}) => {
        const words = this.normalizePhrase(text);
        if (words.length === 0) return;
        const phrase: Phrase<C> = { classifier, words, text, kind, ...extra };
        if (classifier.key.headOnly) {
          const last = words[words.length - 1]!;
          let list = this.byLastWord.get(last);
          if (list === undefined) this.byLastWord.set(last, (list = []));
          list.push(phrase);
        } else {
          this.anywhere.push(phrase);
        }
      };
      for (const name of classifier.key.names) add(name, 'name');
      for (const synonym of classifier.key.synonyms) add(synonym, 'synonym');
      for (const q of classifier.key.qualified) {
        const qualifiers = new Set(q.qualifiers.flatMap((text) => this.normalizePhrase(text)));
        for (const word of qualifiers) this.vocabulary.add(word);
        const standalone = Array.isArray(q.standalone) ? new Set(q.standalone.flatMap((t) => this.normalizePhrase(t))) : q.standalone;
        add(q.term, 'qualified', { qualifiers, standalone });
      }
      const under = (classifier.key.excludeUnder ?? []).map((text) => this.normalizePhrase(text)).filter((w) => w.length > 0);
      if (under.length > 0) this.excludesUnder.set(classifier, under);
      this.excludes.set(
        classifier,
        classifier.key.exclude.map((text) => this.normalizePhrase(text)).filter((w) => w.length > 0),
      );
    }
  }

  /**
   * Decides what a key names. `keys` are the object keys from the root to the leaf (array markers
   * left out); the leaf decides, its parent adds context when the leaf is generic (`phone.number`).
   */
  match(keys: readonly string[]): KeyMatch<C> | null {
    if (keys.length === 0) return null;
    const leaf = this.resolveKey(keys[keys.length - 1]!);
    const parentKey = keys.length > 1 ? keys[keys.length - 2]! : undefined;
    const parent = parentKey === undefined ? [] : this.resolveKey(parentKey);
    let words = stripRepresentation(leaf);
    if (words.length > 0 && words.every((w) => GENERIC_WORDS.has(w.word)) && parent.length > 0) {
      words = [...stripRepresentation(parent), ...words];
    }
    if (words.length === 0) return null;
    const parentWord = parent.length > 0 ? parent[parent.length - 1]!.word : undefined;
    const found = this.best(words, parentWord);
    if (found !== null || words.length < 2 || words[words.length - 1]!.word !== NUMBER) return this.unlessUnder(found, keys);
    // `ssn_number`, `iban_no`, `cvv_num`: a trailing "number" after a head word that names a number
    // already says nothing more. Only when no phrase takes the whole key (`phone number`,
    // `card number` are phrases of their own), so it never turns a key into another category.
    return this.unlessUnder(this.best(words.slice(0, -1), parentWord), keys);
  }

  /** The match, or null when a key above the leaf says it belongs to something else (`excludeUnder`). */
  private unlessUnder(found: KeyMatch<C> | null, keys: readonly string[]): KeyMatch<C> | null {
    if (found === null) return null;
    const under = this.excludesUnder.get(found.classifier);
    if (under === undefined) return found;
    for (let i = 0; i < keys.length - 1; i++) {
      const words = this.resolveKey(keys[i]!);
      for (const run of under) if (containsRun(words, run)) return null;
    }
    return found;
  }

  private best(words: Word[], parentWord: string | undefined): KeyMatch<C> | null {
    let best: KeyMatch<C> | null = null;
    const consider = (phrase: Phrase<C>, start: number) => {
      const candidate = this.tryPhrase(phrase, words, start, parentWord);
      if (candidate !== null && (best === null || better(candidate, best))) best = candidate;
    };
    const last = words[words.length - 1]!;
    for (const phrase of this.byLastWord.get(last.word) ?? []) consider(phrase, words.length - phrase.words.length);
    for (const full of last.abbreviates ?? []) {
      for (const phrase of this.byLastWord.get(full) ?? []) consider(phrase, words.length - phrase.words.length);
    }
    for (const phrase of this.anywhere) {
      for (let start = 0; start + phrase.words.length <= words.length; start++) consider(phrase, start);
    }
    return best;
  }

  private tryPhrase(phrase: Phrase<C>, words: Word[], start: number, parentWord: string | undefined): KeyMatch<C> | null {
    if (start < 0) return null;
    let fuzzy: Word['fuzzy'] | undefined;
    let abbreviated: string[] | undefined;
    let exact = 0;
    for (let i = 0; i < phrase.words.length; i++) {
      const word = words[start + i]!;
      const wanted = phrase.words[i]!;
      if (word.word === wanted) exact++;
      else if (word.abbreviates?.includes(wanted)) (abbreviated ??= []).push(`"${word.word}" = "${wanted}"`);
      else return null;
      if (word.fuzzy !== undefined && (fuzzy === undefined || word.fuzzy.similarity < fuzzy.similarity)) fuzzy = word.fuzzy;
    }
    const fuzzySettings = phrase.classifier.key.fuzzy;
    if (fuzzy !== undefined && (!fuzzySettings.enabled || fuzzy.similarity < fuzzySettings.threshold)) return null;
    let qualifiedBy: string | undefined;
    if (phrase.kind === 'qualified') {
      const before = start > 0 ? words[start - 1] : undefined;
      if (before !== undefined) {
        if (phrase.qualifiers!.has(before.word)) {
          exact++;
          qualifiedBy = before.word;
        } else {
          const full = before.abbreviates?.find((w) => phrase.qualifiers!.has(w));
          if (full === undefined) return null;
          (abbreviated ??= []).push(`"${before.word}" = "${full}"`);
          qualifiedBy = full;
        }
      } else if (phrase.standalone !== true && !(phrase.standalone instanceof Set && parentWord !== undefined && phrase.standalone.has(parentWord))) {
        return null;
      }
    }
    // An abbreviation is believed only inside a phrase of two words or more that spells at least
    // one word out (`soc sec no`, `first nm`): alone, a short word is too often a word of its own
    // (`pass` is not a password, `sec` not a second).
    if (abbreviated !== undefined && exact === 0) return null;
    for (const excluded of this.excludes.get(phrase.classifier) ?? []) {
      if (containsRun(words, excluded)) return null;
    }
    let matcher = `key ${phrase.kind === 'qualified' ? 'name' : phrase.kind} "${phrase.text}"`;
    if (qualifiedBy !== undefined) matcher += ` qualified by "${qualifiedBy}"`;
    if (abbreviated !== undefined) matcher += ` (abbreviated: ${abbreviated.join(', ')})`;
    if (fuzzy !== undefined) matcher += ` (fuzzy: "${fuzzy.from}" ≈ "${findCorrected(words, fuzzy)}", ${fuzzy.similarity.toFixed(2)})`;
    return {
      classifier: phrase.classifier,
      matcher,
      length: phrase.words.length + (qualifiedBy ? 1 : 0),
      fuzzy: fuzzy !== undefined || abbreviated !== undefined,
    };
  }

  /** Words of one key, after abbreviation expansion, plural folding, splitting glued words and typo correction. Cached. */
  resolveKey(key: string): Word[] {
    const out: Word[] = [];
    for (const raw of splitWords(key)) {
      for (const word of this.resolveWord(raw)) out.push(word);
    }
    return out;
  }

  private resolveWord(raw: string): Word[] {
    let resolved = this.wordCache.get(raw);
    if (resolved === undefined) {
      resolved = this.computeWord(raw);
      if (this.wordCache.size < MAX_WORD_CACHE) this.wordCache.set(raw, resolved);
    }
    return resolved;
  }

  private computeWord(raw: string): Word[] {
    const abbreviation = ABBREVIATIONS[raw];
    if (abbreviation !== undefined) return abbreviation.map((word) => ({ word }));
    if (this.vocabulary.has(raw)) return [{ word: raw }];
    const singular = singularOf(raw, this.vocabulary);
    if (singular !== undefined) return [{ word: singular }];
    const pieces = this.segment(raw);
    if (pieces !== null) return pieces.flatMap((piece) => (ABBREVIATIONS[piece] ?? [piece]).map((word) => ({ word })));
    const corrected = this.correct(raw);
    if (corrected !== null) return [corrected];
    const abbreviates = this.expansionsOf(raw);
    return [abbreviates.length > 0 ? { word: raw, abbreviates } : { word: raw }];
  }

  /**
   * Vocabulary words an unknown short word may abbreviate, the two ways people shorten words in
   * field names: the first letters (`soc`, `sec`, `cust`: a prefix of 3+ letters) or the first
   * letter and consonants (`nm`, `nbr`, `acct`, `pwd`: the word's letters in order, no vowel after
   * the first). Candidates only: the phrase around the word decides which, if any, is meant.
   */
  private expansionsOf(raw: string): string[] {
    if (raw.length < 2 || raw.length > MAX_ABBREVIATION || !/^[a-z]+$/.test(raw)) return [];
    const consonants = !/[aeiouy]/.test(raw.slice(1));
    const out: string[] = [];
    for (const word of this.vocabulary) {
      if (word.length <= raw.length || word.length < 4 || word[0] !== raw[0]) continue;
      if ((raw.length >= 3 && word.startsWith(raw)) || (consonants && isSubsequence(raw, word))) out.push(word);
    }
    return out;
  }

  /** Splits a glued word into known words (fewest pieces), or null. Pieces are at least 2 letters. */
  private segment(raw: string): string[] | null {
    if (raw.length < 4 || raw.length > 40) return null;
    const best: Array<string[] | null> = new Array(raw.length + 1).fill(null);
    best[0] = [];
    for (let end = 2; end <= raw.length; end++) {
      for (let start = Math.max(0, end - 24); start <= end - 2; start++) {
        const prefix = best[start];
        if (prefix === null || prefix === undefined) continue;
        const piece = raw.slice(start, end);
        if (!this.vocabulary.has(piece) && ABBREVIATIONS[piece] === undefined) continue;
        const current = best[end];
        if (current === null || current === undefined || prefix.length + 1 < current.length) best[end] = [...prefix, piece];
      }
    }
    const pieces = best[raw.length];
    return pieces !== null && pieces !== undefined && pieces.length >= 2 ? pieces : null;
  }

  /**
   * Corrects a misspelt word to the closest vocabulary word with the same first letter. Short
   * words (4–5 letters) only by one swap or one missing letter (`emial`, `phne`), never by a
   * substitution (`taken` is not `token`).
   */
  private correct(raw: string): Word | null {
    if (raw.length < 4) return null;
    let best: Word | null = null;
    for (const word of this.vocabulary) {
      if (word.length < 4 || word[0] !== raw[0] || Math.abs(word.length - raw.length) > 2) continue;
      const similarity = wordSimilarity(raw, word);
      if (similarity < MIN_FUZZY_SIMILARITY) continue;
      if (raw.length <= 5 && !isSwapOrDrop(raw, word)) continue;
      if (best === null || similarity > best.fuzzy!.similarity) best = { word, fuzzy: { from: raw, similarity } };
    }
    return best;
  }

  private normalizePhrase(text: string): string[] {
    const words: string[] = [];
    for (const raw of splitWords(text)) {
      for (const word of ABBREVIATIONS[raw] ?? [raw]) {
        words.push(word);
        this.vocabulary.add(word);
      }
    }
    return words;
  }
}

function better<C extends KeyMatchable>(a: KeyMatch<C>, b: KeyMatch<C>): boolean {
  if (a.length !== b.length) return a.length > b.length;
  if (a.fuzzy !== b.fuzzy) return !a.fuzzy;
  return a.classifier.priority > b.classifier.priority;
}

function stripRepresentation(words: Word[]): Word[] {
  let end = words.length;
  while (end > 1 && REPRESENTATION_WORDS.has(words[end - 1]!.word)) end--;
  return end === words.length ? words : words.slice(0, end);
}

function containsRun(words: Word[], run: string[]): boolean {
  outer: for (let start = 0; start + run.length <= words.length; start++) {
    for (let i = 0; i < run.length; i++) if (words[start + i]!.word !== run[i]) continue outer;
    return true;
  }
  return false;
}

function singularOf(raw: string, vocabulary: ReadonlySet<string>): string | undefined {
  if (raw.endsWith('ies') && vocabulary.has(`${raw.slice(0, -3)}y`)) return `${raw.slice(0, -3)}y`;
  if (raw.endsWith('es') && vocabulary.has(raw.slice(0, -2))) return raw.slice(0, -2);
  if (raw.endsWith('s') && vocabulary.has(raw.slice(0, -1))) return raw.slice(0, -1);
  return undefined;
}

/** `short`'s letters occur in `long` in order (`nbr` in `number`). */
function isSubsequence(short: string, long: string): boolean {
  let j = 0;
  for (let i = 0; i < long.length && j < short.length; i++) if (long[i] === short[j]) j++;
  return j === short.length;
}

function isSwapOrDrop(raw: string, word: string): boolean {
  if (raw.length === word.length) return isAdjacentSwap(raw, word);
  if (raw.length + 1 !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (word.slice(0, i) + word.slice(i + 1) === raw) return true;
  return false;
}

function findCorrected(words: Word[], fuzzy: NonNullable<Word['fuzzy']>): string {
  return words.find((w) => w.fuzzy === fuzzy)?.word ?? '';
}
