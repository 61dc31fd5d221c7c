/**
 * Which environment variables a document written through the API may reference. The server's
 * environment holds its key material (master keys, the lookup key, database and Kafka
 * credentials): an Editor who could write `topic: "${SEGMENTLOOM_MASTER_KEYS}"` had the engine read
 * it and, in Kafka mode, log it as a topic name; `secret: "${PATH}"` made any variable a hashing key.
 *
 *  - a destination topic may reference only variables named for topics (`TOPIC` as a word of the
 *    name: `SEGMENTLOOM_TOPIC_SUFFIX`, `WAREHOUSE_TOPIC`);
 *  - a hashing secret may reference only variables named for hashing (`HASH` or `HASHING` as a
 *    word: `SEGMENTLOOM_HASH_KEY`);
 *  - never a variable whose name says it is other key material or a credential, whatever else it
 *    says (`SEGMENTLOOM_MASTER_KEYS`, `SEGMENTLOOM_LOOKUP_KEY`, `DATABASE_URL`, `…PASSWORD`, `…TOKEN`).
 *
 * Files edited on disk by an operator are not limited: this is about what an API caller may make
 * the server read.
 */

const REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g;
const NEVER =
  /(^|_)(MASTER|LOOKUP|DATABASE|PG|KAFKA|SASL|PASSWORD|PASSWD|TOKEN|CREDENTIALS?|PRIVATE|AWS|OIDC|SESSION|API_KEYS?|WEBHOOK)(_|$)|^(PATH|HOME|USER)$/;
const FOR_TOPICS = /(^|_)TOPICS?(_|$)/;
const FOR_HASHING = /(^|_)(HASH|HASHING)(_|$)/;

export type ReferenceUse = 'topic' | 'hashing secret';

/** The names `text` references (`$${` escapes are no references). */
export function referencedNames(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(REFERENCE)) if (match[1] !== '$') names.push(match[2]!);
  return names;
}

/** Why `name` may not be referenced as `use`, or null when it may. Names the rule, never a value. */
export function refusedReference(name: string, use: ReferenceUse): string | null {
  const upper = name.toUpperCase();
  if (NEVER.test(upper)) return `\${${name}} names key material or a credential, which documents written through the API may not reference`;
  if (use === 'topic' && !FOR_TOPICS.test(upper))
    return `a topic may reference only variables named for topics (TOPIC as a word of the name, e.g. SEGMENTLOOM_TOPIC_SUFFIX); \${${name}} is not`;
  if (use === 'hashing secret' && !FOR_HASHING.test(upper))
    return `a hashing secret may reference only a variable meant for it (HASH as a word of the name, e.g. SEGMENTLOOM_HASH_KEY); \${${name}} is not`;
  return null;
}

/** Kafka's topic names: letters, digits, `.`, `_`, `-`, 1 to 249 characters (and not `.` or `..`). */
const KAFKA_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export function kafkaTopicProblem(topic: string): string | null {
  if (!KAFKA_TOPIC.test(topic) || topic === '.' || topic === '..') return 'must be a Kafka topic name: 1-249 letters, digits, ".", "_" or "-"';
  return null;
}
