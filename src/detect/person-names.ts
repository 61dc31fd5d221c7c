/**
 * Person names in English prose ("I'm Maria Lopez", "Regards, Michael Brown"), by compromise's
 * people() tagger, whose lexicon and rules ship inside its npm package (nothing is downloaded).
 *
 * Chosen over wink-nlp + wink-eng-lite-web-model on 20 sentences with a name and 20 without
 * (brands, places, products): compromise found 20/20 with no false alarm; the wink lite model has no
 * PERSON entity, and two proper nouns in a row by its tagger found 20/20 but flagged 8 of the 20
 * (Apple Watch, Golden Gate). compromise is the slower (~25x on the same machine, milliseconds a
 * sentence), so it only sees prose with two capitalised words in a row, is loaded on first use,
 * and its verdicts are remembered.
 */
import { createRequire } from 'node:module';

type Compromise = (text: string) => { people(): { found: boolean } };

let nlp: Compromise | null = null;
const require = createRequire(import.meta.url);

const MAX_TEXT = 500;
const RECENT = 4096;
const recent = new Map<string, boolean>();

/** Two capitalised words in a row (`Maria Lopez`): the cheap test before any tagging. */
export function hasNamePair(text: string): boolean {
  if (text.length > MAX_TEXT) return false;
  let previousCapital = false;
  let start = true;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 192;
    if (letter) {
      if (start) {
        const capital = (c >= 65 && c <= 90) || (c >= 192 && c <= 222);
        const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        const word = capital && next >= 97 && next <= 122;
        if (word && previousCapital) return true;
        previousCapital = word;
        start = false;
      }
    } else if (c === 32 || c === 44 || c === 58) {
      // A space, comma or colon ends a word; a pair must be separated by one space.
      if (c !== 32) previousCapital = false;
      start = true;
    } else {
      previousCapital = false;
      start = true;
    }
  }
  return false;
}

/** Whether compromise tags a person in the text. Call only after hasNamePair. */
export function mentionsPerson(text: string): boolean {
  const known = recent.get(text);
  if (known !== undefined) return known;
  nlp ??= require('compromise') as Compromise;
  let found = false;
  try {
    found = nlp(text).people().found;
  } catch {
    found = false;
  }
  if (recent.size >= RECENT) recent.clear();
  recent.set(text, found);
  return found;
}
