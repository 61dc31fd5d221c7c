import { DataKeys } from './crypto/data-keys.js';
import { Keyring } from './crypto/master-keys.js';
import { ReceiptSigner } from './crypto/receipt-signing.js';
import { SubjectHasher } from './crypto/lookup.js';
import type { ScriptDb, StorageLogger } from './db.js';
import { silentLogger } from '../core/logger.js';
import { type RequestDeadlines, requestDeadlinesFromEnv } from './deadlines.js';
import { EventStore } from './events-store.js';
import { openDb, type OpenDbOptions } from './open.js';
import { SubjectRequests } from './requests.js';
import { RetentionPolicy, type RetentionConfig } from './retention.js';
import { SuppressionList } from './suppression/list.js';

export interface StorageOptions extends OpenDbOptions {
  /** Where keys come from when not given directly (SEGMENTLOOM_MASTER_KEYS[_FILE], SEGMENTLOOM_LOOKUP_KEY[_FILE]). */
  env?: NodeJS.ProcessEnv | undefined;
  keyring?: Keyring | undefined;
  hasher?: SubjectHasher | undefined;
  /** Signs request receipts; default from SEGMENTLOOM_RECEIPT_SIGNING_KEY[_FILE] (null: unsigned). */
  receiptSigner?: ReceiptSigner | null | undefined;
  retention?: RetentionConfig | undefined;
  /** Legal deadlines of requests per regulation; default from SEGMENTLOOM_REQUEST_DEADLINES, else GDPR 1mo, CCPA/CPA 45d. */
  requestDeadlines?: RequestDeadlines | undefined;
  dataKeyCacheSize?: number | undefined;
  /** Use this database instead of opening one (it is closed by `close()` all the same). */
  db?: ScriptDb | undefined;
}

/** Everything the engine needs from storage, wired once. */
export interface Storage {
  db: ScriptDb;
  keyring: Keyring;
  hasher: SubjectHasher;
  receiptSigner: ReceiptSigner | null;
  dataKeys: DataKeys;
  events: EventStore;
  requests: SubjectRequests;
  suppressions: SuppressionList;
  retention: RetentionPolicy;
  logger: StorageLogger;
  close(): Promise<void>;
}

export async function openStorage(options: StorageOptions = {}): Promise<Storage> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? silentLogger();
  // Keys are read before the database is opened: a misconfigured process fails fast and leaks nothing.
  const keyring = options.keyring ?? Keyring.fromEnv(env);
  const hasher = options.hasher ?? SubjectHasher.fromEnv(env);
  const receiptSigner = options.receiptSigner !== undefined ? options.receiptSigner : ReceiptSigner.fromEnv(env);
  const retention = new RetentionPolicy(options.retention);
  const deadlines = options.requestDeadlines ?? requestDeadlinesFromEnv(env);
  const db = options.db ?? (await openDb({ ...options, logger }));
  const dataKeys = new DataKeys(db, keyring, { cacheSize: options.dataKeyCacheSize });
  return {
    db,
    keyring,
    hasher,
    receiptSigner,
    dataKeys,
    retention,
    logger,
    events: new EventStore({ db, dataKeys, hasher, retention }),
    requests: new SubjectRequests({ db, hasher, dataKeys, logger, signer: receiptSigner, deadlines }),
    suppressions: new SuppressionList(db, logger),
    close: () => db.close(),
  };
}
