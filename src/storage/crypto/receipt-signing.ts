import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { safeIssueMessage } from '../../core/zod-issues.js';
import { KeyConfigError, secretFromEnv } from './master-keys.js';

/**
 * Ed25519 signatures on data-subject request receipts, so a privacy officer can prove later and
 * offline — to a regulator, without access to our database — what was removed and when. The
 * signature covers the canonical JSON of the receipt (keys sorted, no whitespace) minus the
 * signature itself; `keyId` names the public key (SHA-256 of its raw 32 bytes) so a verifier can
 * tell a receipt signed by a rotated-out key from a forged one.
 */
export const RECEIPT_SIGNATURE_ALGORITHM = 'Ed25519';

export interface ReceiptSignature {
  algorithm: typeof RECEIPT_SIGNATURE_ALGORITHM;
  keyId: string;
  /** base64 of the 64-byte signature. */
  value: string;
}

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A PEM PKCS#8 Ed25519 private key, or the base64 of its 32-byte seed. */
const signingKeySchema = z.string().transform((text, ctx) => {
  try {
    const key = text.includes('-----BEGIN')
      ? createPrivateKey(text)
      : createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seedOf(text)]), format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
    return key;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected an Ed25519 private key: PEM (PKCS#8) or the base64 of its 32-byte seed' });
    return z.NEVER;
  }
});

function seedOf(base64: string): Buffer {
  if (!/^[A-Za-z0-9+/=_-]+$/.test(base64)) throw new Error('not base64');
  const seed = Buffer.from(base64, 'base64');
  if (seed.length !== 32) throw new Error('not 32 bytes');
  return seed;
}

const publicKeySchema = z.string().transform((text, ctx) => {
  try {
    const key = createPublicKey(text);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
    return key;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected an Ed25519 public key in PEM (SPKI)' });
    return z.NEVER;
  }
});

/** The key id of a public key: `sha256:` and the hex SHA-256 of its raw 32 bytes. */
export function receiptKeyId(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

export class ReceiptSigner {
  readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(private readonly privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new KeyConfigError('the receipt signing key must be an Ed25519 key');
    this.publicKey = createPublicKey(privateKey);
    this.keyId = receiptKeyId(this.publicKey);
  }

  /** The public key in PEM (SPKI), as served by the API and read by `requests verify --public-key`. */
  get publicKeyPem(): string {
    return this.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }

  /** The receipt with its signature (any signature it carried is replaced). */
  sign<T extends object>(receipt: T): T & { signature: ReceiptSignature } {
    const { signature: _old, ...body } = receipt as T & { signature?: unknown };
    const value = sign(null, Buffer.from(canonicalJson(body), 'utf8'), this.privateKey).toString('base64');
    return { ...(body as T), signature: { algorithm: RECEIPT_SIGNATURE_ALGORITHM, keyId: this.keyId, value } };
  }

  /**
   * From SEGMENTLOOM_RECEIPT_SIGNING_KEY, else the file named by SEGMENTLOOM_RECEIPT_SIGNING_KEY_FILE;
   * null when neither is set (receipts are then issued unsigned). A malformed key is a
   * KeyConfigError naming the variable, never quoting it.
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): ReceiptSigner | null {
    const text = secretFromEnv(env, 'SEGMENTLOOM_RECEIPT_SIGNING_KEY');
    if (text === undefined) return null;
    const parsed = signingKeySchema.safeParse(text);
    if (!parsed.success) throw new KeyConfigError(`SEGMENTLOOM_RECEIPT_SIGNING_KEY: ${safeIssueMessage(parsed.error.issues[0]!)}`);
    return new ReceiptSigner(parsed.data);
  }
}

/** Parses a PEM public key (e.g. from GET /receipts/public-key); throws an Error saying what is wrong. */
export function parseReceiptPublicKey(pem: string): KeyObject {
  const parsed = publicKeySchema.safeParse(pem);
  if (!parsed.success) throw new Error(safeIssueMessage(parsed.error.issues[0]!));
  return parsed.data;
}

const signatureSchema = z.strictObject({
  algorithm: z.literal(RECEIPT_SIGNATURE_ALGORITHM),
  keyId: z.string(),
  value: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'expected base64'),
});

export type Verification = { valid: true; keyId: string } | { valid: false; reason: string };

/** Checks a receipt (as issued, parsed from JSON) against the public key the verifier trusts. */
export function verifyReceipt(receipt: unknown, publicKey: KeyObject): Verification {
  if (typeof receipt !== 'object' || receipt === null || Array.isArray(receipt)) return { valid: false, reason: 'not a receipt (expected a JSON object)' };
  const { signature, ...body } = receipt as Record<string, unknown>;
  if (signature === undefined) return { valid: false, reason: 'the receipt is not signed' };
  const parsed = signatureSchema.safeParse(signature);
  if (!parsed.success)
    return { valid: false, reason: `malformed signature at "${parsed.error.issues[0]!.path.join('.')}": ${safeIssueMessage(parsed.error.issues[0]!)}` };
  const keyId = receiptKeyId(publicKey);
  if (parsed.data.keyId !== keyId) return { valid: false, reason: `signed by key ${parsed.data.keyId}, not by the given key ${keyId}` };
  const ok = verify(null, Buffer.from(canonicalJson(body), 'utf8'), publicKey, Buffer.from(parsed.data.value, 'base64'));
  return ok ? { valid: true, keyId } : { valid: false, reason: 'the signature does not match the receipt (altered after signing, or signed by another key)' };
}

/** JSON with object keys sorted at every depth and no whitespace: the same bytes for the same receipt. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
