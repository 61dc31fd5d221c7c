import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DLQ_HEADER, TRUNCATED_HEADER } from '../events/index.js';
import { DeadLetterKeyError, DeadLetterOpener, DLQ_SEALED_HEADER, type RestoredRecord } from './dead-letter-seal.js';

/** A dead-letter record as stored (file envelope or Kafka record), headers as text. */
export interface StoredDeadLetter {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Where it is stored: `file:line` or `topic/partition@offset`. */
  at: string;
}

/** What `dlq inspect` shows of a record: why and where from, never the event. */
export interface DeadLetterSummary {
  at: string;
  code: string | null;
  reason: string | null;
  source: { topic: string | null; partition: number | null; offset: string | null };
  encrypted: boolean;
  masterKeyVersion: number | null;
  valueBytes: number;
  truncatedFrom: number | null;
}

export function summaryOf(record: StoredDeadLetter): DeadLetterSummary {
  const h = record.headers;
  const sealed = DeadLetterOpener.isSealed(h);
  const version = sealed ? Number((h[DLQ_SEALED_HEADER.key] ?? '').split(':')[0]) : NaN;
  const partition = Number(h[DLQ_HEADER.partition]);
  const truncated = Number(h[TRUNCATED_HEADER]);
  return {
    at: record.at,
    code: h[DLQ_HEADER.code] ?? null,
    reason: h[DLQ_HEADER.reason] ?? null,
    source: { topic: h[DLQ_HEADER.sourceTopic] ?? null, partition: Number.isInteger(partition) ? partition : null, offset: h[DLQ_HEADER.offset] ?? null },
    encrypted: sealed,
    masterKeyVersion: Number.isInteger(version) ? version : null,
    valueBytes: record.value?.length ?? 0,
    truncatedFrom: Number.isInteger(truncated) && h[TRUNCATED_HEADER] !== undefined ? truncated : null,
  };
}

/** The original record: opened with the keyring when sealed (opener required), as stored when clear. */
export function restore(record: StoredDeadLetter, opener: DeadLetterOpener | null): RestoredRecord {
  if (DeadLetterOpener.isSealed(record.headers)) {
    if (opener === null) throw new DeadLetterKeyError(`${record.at}: the record is encrypted and no master key is configured (SEGMENTLOOM_MASTER_KEYS)`);
    if (record.value === null) throw new DeadLetterKeyError(`${record.at}: an encrypted record without a value`);
    try {
      return opener.open(record.headers, record.value);
    } catch (err) {
      if (err instanceof DeadLetterKeyError) throw new DeadLetterKeyError(`${record.at}: ${err.message}`);
      throw err;
    }
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers)) if (!name.startsWith('x-segmentloom-dlq-') && name !== TRUNCATED_HEADER) headers[name] = value;
  return { key: record.key, value: record.value, headers };
}

interface Envelope {
  key: string | null;
  headers?: Record<string, string | string[]>;
  value: string | null;
  valueEncoding?: 'utf8' | 'base64';
}

/** The records of a dead-letter file written by the file sink (one envelope a line). */
export async function* readDeadLetterFile(path: string): AsyncGenerator<StoredDeadLetter> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(line) as Envelope;
    } catch {
      throw new DeadLetterKeyError(`${path}:${n}: not a dead-letter envelope (invalid JSON)`);
    }
    if (envelope === null || typeof envelope !== 'object' || !('value' in envelope))
      throw new DeadLetterKeyError(`${path}:${n}: not a dead-letter envelope (no value field)`);
    const headers: Record<string, string> = {};
    for (const [name, v] of Object.entries(envelope.headers ?? {})) headers[name] = Array.isArray(v) ? v.join(',') : String(v);
    const value = envelope.value === null ? null : Buffer.from(envelope.value, envelope.valueEncoding === 'base64' ? 'base64' : 'utf8');
    yield { key: envelope.key === null || envelope.key === undefined ? null : Buffer.from(envelope.key, 'utf8'), value, headers, at: `${path}:${n}` };
  }
}
