import { z } from 'zod';

const phrase = z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters');
const confidence = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

/** A generic head word (e.g. `name`) that means this classifier only after certain qualifiers. */
const qualifiedTerm = z.strictObject({
  term: phrase,
  qualifiers: z.array(phrase).min(1, 'list at least one qualifier'),
  /**
   * Whether the bare term alone (a key called just `name`) counts: `true` anywhere, or a list of
   * parent keys under which it does (`traits.name` is a person, `properties.name` a product).
   */
  standalone: z.union([z.boolean(), z.array(phrase)]).default(false),
});

const keyMatching = z.strictObject({
  names: z.array(phrase).default([]),
  synonyms: z.array(phrase).default([]),
  qualified: z.array(qualifiedTerm).default([]),
  /** Phrases that, anywhere in a key, stop this classifier from matching it (e.g. `mailchimp id`). */
  exclude: z.array(phrase).default([]),
  /**
   * Phrases that, in any key above the leaf, stop this classifier from matching it: what a key names
   * depends on what it belongs to (`products[].weight_kg` is a product's weight, not a person's).
   */
  excludeUnder: z.array(phrase).default([]),
  fuzzy: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Minimum similarity (1 - edits / length) for a misspelt word to count, e.g. `emial` → `email` = 0.8. */
      threshold: confidence.default(0.8),
    })
    .default({ enabled: true, threshold: 0.8 }),
  /**
   * Whether the key's last word must be this classifier's word (`billing_email` yes,
   * `email_subscribed` no). Turn off only for classifiers whose words qualify others (`health_*`).
   */
  headOnly: z.boolean().default(true),
});

const valueMatching = z.strictObject({
  /** JSON types this data can take; a key match on another type (`email_opt_in: true`) is contradicted. */
  types: z
    .array(z.enum(['string', 'number', 'boolean']))
    .min(1)
    .default(['string']),
  /** RE2 patterns that find candidates inside a value. Compiled with RE2 only: no catastrophic backtracking. */
  patterns: z.array(z.string().min(1).max(2000)).default([]),
  /**
   * Stricter patterns for scanning values under keys that say nothing (default: `patterns`). A bare
   * 10-digit number under `phone` is a phone; under `product_id` it is not — so scanning phones
   * wants formatting cues such as `+` or separators.
   */
  scanPatterns: z.array(z.string().min(1).max(2000)).optional(),
  /** Named validators (see `segmentloom classifiers validators`); a candidate must pass all of them. */
  validators: z.array(z.string()).default([]),
  /**
   * Validators that confirm a value under a matching key instead of `validators` (default: the same).
   * The key is evidence of its own: under `card_number` Luhn alone decides, while a value under any
   * other key must also start with a card issuer's range.
   */
  keyValidators: z.array(z.string()).optional(),
  /** Look for this data in values under any key, not only to confirm a key match. */
  scan: z.boolean().default(false),
  /** Cheap checks before any pattern runs (the hot path's main saving). */
  minLength: z.number().int().min(1).default(1),
  maxLength: z.number().int().min(1).default(4096),
  /**
   * At least this many digits in one run of digits and separators (space - . ( ) / +): a card or
   * phone number is one run; the digits scattered over a user agent or URL are not.
   */
  minDigits: z.number().int().min(0).default(0),
  /** At least this many characters in one run of hex digits and : - . separators (MAC, IP notation). */
  minHexRun: z.number().int().min(0).default(0),
  /** At least one of these characters must occur. */
  requireAnyOf: z.string().default(''),
  /** At least one of these substrings must occur (e.g. `eyJ` for JWTs): a literal prefilter. */
  hints: z.array(z.string().min(1)).default([]),
  /** Key words under which a value match is not believed (e.g. `version` for IP-like `10.0.0.1`). */
  ignoreUnderKeys: z.array(phrase).default([]),
});

const combination = z.strictObject({
  /** Confidence when only the key says so. */
  key: confidence.default(0.6),
  /** Confidence when only a value pattern (and its validators) says so. */
  value: confidence.default(0.8),
  /** Confidence when both agree. */
  keyAndValue: confidence.default(0.97),
  /**
   * Decisions below this are not reported: key-only, value-only or key+value (a value that confirms
   * the key then reports key-only if that is at or above it). A classifier whose `value` is below it
   * does not scan values.
   */
  threshold: confidence.default(0.5),
  /**
   * What a value under a matching key must satisfy for the key match to stand:
   * `type` (only the JSON type), `pattern` (a value pattern matches the whole value, trimmed; a match
   * on part of it, `user_123` under `first_name`, does not count), `validator`
   * (a pattern matches and validators pass). A value that fails is evidence against the key.
   */
  keyNeeds: z.enum(['type', 'pattern', 'validator']).default('type'),
});

export const classifierSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be snake_case: lowercase letters, digits, _'),
  name: z.string().min(1),
  description: z.string().default(''),
  classification: z.enum(['red', 'yellow', 'green']),
  /** fideslang data category, e.g. `user.contact.email`. */
  category: z.string().regex(/^[a-z_]+(\.[a-z_]+)*$/, 'must be a dotted fideslang category such as user.contact.email'),
  key: keyMatching.default(keyMatching.parse({})),
  value: valueMatching.default(valueMatching.parse({})),
  confidence: combination.default(combination.parse({})),
  /** Higher wins when two classifiers match a key equally well. */
  priority: z.number().int().default(0),
  enabled: z.boolean().default(true),
});

/** A classifier file holds one classifier, or a list under `classifiers:`. */
export const classifierListSchema = z.strictObject({ classifiers: z.array(classifierSchema).min(1) });

export type ClassifierDefinition = z.infer<typeof classifierSchema>;
