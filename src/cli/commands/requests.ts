import { readFile } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import { identifierArg } from '../db-options.js';
import { requestDeadlinesFromEnv } from '../../storage/deadlines.js';
import { parseDuration } from '../../storage/duration.js';
import { KeyConfigError, secretFromEnv } from '../../storage/crypto/master-keys.js';
import { parseReceiptPublicKey, ReceiptSigner, verifyReceipt } from '../../storage/crypto/receipt-signing.js';
import { DataKeys } from '../../storage/crypto/data-keys.js';
import { correctionSchema, type CorrectionInput } from '../../storage/correction.js';
import { REQUEST_TYPES, SubjectRequests, type RequestType, type SubjectSelector } from '../../storage/requests.js';
import { EXIT, NotFoundError, UsageError, type CliIo } from '../io.js';
import { defineCommand, json } from '../registry.js';
import { STORE_HELP, STORE_OPTIONS, storeAccess } from '../store.js';

const HELP = `Usage: segmentloom requests <command> [options]

Data-subject requests: suppression, deletion (crypto-shredding, then physical deletion) and
correction.

Commands:
  create <TYPE> (--user-id ID | --anonymous-id ID | --email ADDRESS) [--regulation NAME] [--no-run]
      TYPE: ${REQUEST_TYPES.join(' | ')}
      NAME: the regulation whose legal deadline applies (default GDPR: one month; CCPA, CPA:
      45 days; set others with SEGMENTLOOM_REQUEST_DEADLINES, e.g.
      '{"default":"CCPA","regulations":{"GDPR":"1mo","CCPA":"45d","CPA":"45d"}}').
      Records the request and runs it at once (unless --no-run). Pass "-" as the identifier to
      read it from stdin, keeping it out of shell history and the process list.
  create CORRECT (--user-id ID | --anonymous-id ID | --email ADDRESS) --correction FILE
      FILE (or "-" for stdin) holds {"set": {"trait": value, ...}, "unset": ["trait", ...]}: the
      profile and stored events are corrected in place, and a Kafka engine forwards the change
      to destinations as an identify. Needs the master keys (SEGMENTLOOM_MASTER_KEYS).
  run-pending          run every request still RECEIVED, FAILED, or left RUNNING by a process that died
  at-risk [--within 7d]  unfinished requests whose deadline is within the period, overdue first
  status <id>          the request's status and timestamps
  receipt <id>         the receipt of a finished request
  verify <FILE> [--public-key PEMFILE]
      Checks a receipt's Ed25519 signature offline (no database, no lookup key). FILE is a
      receipt as printed by \`requests receipt\` or GET /requests/{id}/receipt (or a request
      holding one); "-" reads stdin. The public key is --public-key (PEM, as served by
      GET /receipts/public-key), else $SEGMENTLOOM_RECEIPT_PUBLIC_KEY[_FILE], else the one of
      $SEGMENTLOOM_RECEIPT_SIGNING_KEY[_FILE]. Exit 0: valid; 1: not valid (the reason is printed).

Prints JSON. Identifiers are stored only as keyed hashes (needs the lookup key: from --config's
storage section, else SEGMENTLOOM_LOOKUP_KEY or SEGMENTLOOM_LOOKUP_KEY_FILE). Receipts are signed when SEGMENTLOOM_RECEIPT_SIGNING_KEY (or
SEGMENTLOOM_RECEIPT_SIGNING_KEY_FILE) holds an Ed25519 private key (PEM, or base64 of its seed).

${STORE_HELP}`;

/** The flags that name a data subject (exactly one is given); read by `selectorFrom`. */
export const SUBJECT_OPTIONS = {
  'user-id': { type: 'string' },
  'anonymous-id': { type: 'string' },
  email: { type: 'string' },
} as const;

export const run = defineCommand({
  name: 'requests',
  help: HELP,
  options: {
    ...STORE_OPTIONS,
    ...SUBJECT_OPTIONS,
    'no-run': { type: 'boolean' },
    correction: { type: 'string' },
    'public-key': { type: 'string' },
    regulation: { type: 'string' },
    within: { type: 'string' },
  },
  subcommands: ['create', 'run-pending', 'at-risk', 'status', 'receipt', 'verify'],
  async handler({ values, sub, args, io }) {
    const command = sub!;
    if (command === 'verify') return verify(args, values['public-key'], io);
    const store = await storeAccess(values, io);
    return storeCommand(command, args, values, io, store);
  },
});

async function storeCommand(
  command: string,
  args: string[],
  values: { 'user-id'?: string; 'anonymous-id'?: string; email?: string; 'no-run'?: boolean; correction?: string; regulation?: string; within?: string },
  io: CliIo,
  store: Awaited<ReturnType<typeof storeAccess>>,
): Promise<number> {
  const type = command === 'create' ? requestType(args) : undefined;
  if ((type === 'CORRECT') !== (values.correction !== undefined)) {
    throw new UsageError(type === 'CORRECT' ? 'a CORRECT request needs --correction FILE' : '--correction goes with create CORRECT only');
  }
  const keys = store.keys('requests', { keyring: type === 'CORRECT' });
  if (keys === null) return EXIT.config;
  const hasher = keys.hasher;
  const selector = command === 'create' ? await selectorFrom(values, io) : undefined;
  const correction = values.correction !== undefined ? await correctionFrom(values.correction, io) : undefined;
  let deadlines;
  try {
    deadlines = requestDeadlinesFromEnv(io.env);
  } catch (err) {
    io.stderr.write(`segmentloom requests: ${(err as Error).message}\n`);
    return EXIT.config;
  }
  if (values.regulation !== undefined && !deadlines.regulations.includes(values.regulation)) {
    throw new UsageError(`--regulation must be one of ${deadlines.regulations.join(', ')}`);
  }
  const within = values.within ?? '7d';
  const withinMs = command === 'at-risk' ? periodMs(within) : 0;
  if (!['create', 'run-pending', 'at-risk'].includes(command) && args.length !== 1) throw new UsageError(`usage: segmentloom requests ${command} <id>`);

  const db = await store.open();
  try {
    const dataKeys = keys.keyring ? new DataKeys(db, keys.keyring) : undefined;
    const requests = new SubjectRequests({ db, hasher, dataKeys, signer: keys.receiptSigner, deadlines });
    switch (command) {
      case 'create': {
        const created = await requests.create(type!, selector!, { regulation: values.regulation, correction });
        const result = values['no-run'] ? created : await requests.run(created.id);
        io.stdout.write(json(result));
        return result.status === 'FAILED' ? EXIT.failure : EXIT.ok;
      }
      case 'run-pending': {
        const results = await requests.runPending();
        io.stdout.write(json(results.map(({ id, type: t, status, failure }) => ({ id, type: t, status, failure }))));
        return results.some((r) => r.status === 'FAILED') ? EXIT.failure : EXIT.ok;
      }
      case 'at-risk': {
        const now = Date.now();
        const atRisk = await requests.atRisk(withinMs);
        const rows = atRisk.map(({ id, type: t, status, regulation, receivedAt, deadlineAt }) => ({
          id,
          type: t,
          status,
          regulation,
          receivedAt,
          deadlineAt,
          overdue: deadlineAt !== null && Date.parse(deadlineAt) < now,
        }));
        io.stdout.write(json({ within, requests: rows }));
        return EXIT.ok;
      }
      default: {
        const request = await requests.get(args[0]!);
        if (!request) throw new NotFoundError('request');
        if (command === 'receipt') {
          if (!request.receipt) {
            io.stderr.write(`segmentloom requests: request is ${request.status}; a receipt is issued when it has FINISHED\n`);
            return EXIT.failure;
          }
          io.stdout.write(json(request.receipt));
        } else {
          const { receipt: _receipt, ...status } = request;
          io.stdout.write(json(status));
        }
        return EXIT.ok;
      }
    }
  } finally {
    await db.close();
  }
}

function periodMs(text: string): number {
  let ms: number | null;
  try {
    ms = parseDuration(text);
  } catch {
    ms = null;
  }
  if (ms === null) throw new UsageError('--within must be a duration such as 7d or 48h');
  return ms;
}

async function verify(args: string[], publicKeyFile: string | undefined, io: CliIo): Promise<number> {
  if (args.length !== 1) throw new UsageError('usage: segmentloom requests verify <FILE> [--public-key PEMFILE]');
  let publicKey: KeyObject;
  try {
    publicKey = await trustedPublicKey(publicKeyFile, io.env);
  } catch (err) {
    io.stderr.write(`segmentloom requests verify: ${err instanceof Error ? err.message : 'unusable public key'}\n`);
    return EXIT.config;
  }
  const file = args[0]!;
  let document: unknown;
  try {
    const text = file === '-' ? await readAll(io.stdin ?? process.stdin) : await readFile(file, 'utf8');
    document = JSON.parse(text);
  } catch (err) {
    const why = err instanceof SyntaxError ? 'is not JSON' : 'cannot be read';
    io.stderr.write(`segmentloom requests verify: ${file === '-' ? 'stdin' : file} ${why}\n`);
    return EXIT.failure;
  }
  // A request (GET /requests/{id}) carries its receipt; a receipt has a requestId.
  const receipt = isObject(document) && !('requestId' in document) && isObject(document.receipt) ? document.receipt : document;
  const result = verifyReceipt(receipt, publicKey);
  const requestId = isObject(receipt) && typeof receipt.requestId === 'string' ? receipt.requestId : null;
  io.stdout.write(json(result.valid ? { valid: true, requestId, keyId: result.keyId } : { valid: false, requestId, reason: result.reason }));
  return result.valid ? EXIT.ok : EXIT.failure;
}

async function trustedPublicKey(file: string | undefined, env: NodeJS.ProcessEnv): Promise<KeyObject> {
  if (file !== undefined) {
    let pem: string;
    try {
      pem = await readFile(file, 'utf8');
    } catch {
      throw new Error(`cannot read --public-key ${file}`);
    }
    return withContext('--public-key', () => parseReceiptPublicKey(pem));
  }
  const pem = secretFromEnv(env, 'SEGMENTLOOM_RECEIPT_PUBLIC_KEY');
  if (pem !== undefined) return withContext('SEGMENTLOOM_RECEIPT_PUBLIC_KEY', () => parseReceiptPublicKey(pem));
  const signer = ReceiptSigner.fromEnv(env);
  if (signer) return signer.publicKey;
  throw new KeyConfigError('no public key to verify with: pass --public-key PEMFILE (from GET /receipts/public-key) or set SEGMENTLOOM_RECEIPT_PUBLIC_KEY');
}

function withContext<T>(where: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new Error(`${where}: ${err instanceof Error ? err.message : 'unusable value'}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  return text;
}

/** The correction document; its values are personal data, so they come from a file or stdin, never argv. */
async function correctionFrom(file: string, io: CliIo): Promise<CorrectionInput> {
  let text: string;
  try {
    text = file === '-' ? await readAll(io.stdin ?? process.stdin) : await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`--correction: cannot read ${file === '-' ? 'stdin' : file}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new UsageError('--correction: not JSON (expected {"set": {...}, "unset": [...]})');
  }
  const parsed = correctionSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(
      `--correction: ${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.code === 'unrecognized_keys' ? 'only "set" and "unset" are allowed' : issue.message}`,
    );
  }
  return parsed.data;
}

function requestType(args: string[]): RequestType {
  const [type, ...rest] = args;
  if (type === undefined || rest.length > 0)
    throw new UsageError('usage: segmentloom requests create <TYPE> (--user-id ID | --anonymous-id ID | --email ADDRESS)');
  const upper = type.toUpperCase();
  if (!(REQUEST_TYPES as readonly string[]).includes(upper)) throw new UsageError(`request type must be one of ${REQUEST_TYPES.join(', ')}`);
  return upper as RequestType;
}

export async function selectorFrom(values: { 'user-id'?: string; 'anonymous-id'?: string; email?: string }, io: CliIo): Promise<SubjectSelector> {
  const given = (['user-id', 'anonymous-id', 'email'] as const).filter((k) => values[k] !== undefined);
  if (given.length !== 1) throw new UsageError('name the data subject with exactly one of --user-id, --anonymous-id or --email');
  const flag = given[0]!;
  const id = await identifierArg(values[flag]!, io.stdin);
  if (id === '') throw new UsageError(`--${flag} must not be empty`);
  if (flag === 'email' && !id.includes('@')) throw new UsageError('--email must be an email address');
  return flag === 'user-id' ? { userId: id } : flag === 'anonymous-id' ? { anonymousId: id } : { email: id };
}
