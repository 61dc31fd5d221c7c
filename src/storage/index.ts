/** Public surface of the storage layer. */
export type { Db, ScriptDb, StorageLogger } from './db.js';
export { silentLogger } from './db.js';
export { openDb, type OpenDbOptions } from './open.js';
export { StoreNotFoundError } from './store-missing.js';
export { migrate, type MigrationResult } from './migrate.js';
export { MIGRATIONS, type Migration } from './migrations/index.js';
export { openStorage, type Storage, type StorageOptions } from './storage.js';
export { Keyring, KeyConfigError, secretFromEnv, type MasterKey } from './crypto/master-keys.js';
export { SubjectHasher, ANONYMOUS_SUBJECT } from './crypto/lookup.js';
export { DataKeys, type DataKey, type RewrapResult } from './crypto/data-keys.js';
export { DecryptError, seal, open, sealJson, openJson, aad } from './crypto/aead.js';
export { EventStore, type EventStoreDeps, type StoreResult } from './events-store.js';
export { mergeTraits, readProfile, type ProfileDoc } from './profiles.js';
export { RetentionPolicy, retentionConfigSchema, sweepExpired, DEFAULT_RETENTION, type RetentionConfig, type SweepResult } from './retention.js';
export { parseDuration } from './duration.js';
export {
  SubjectRequests,
  REQUEST_TYPES,
  subjectSelectorSchema,
  type RequestType,
  type RequestStatus,
  type SubjectRequest,
  type SubjectSelector,
  type Receipt,
} from './requests.js';
export { eraseSubjects, type ErasureCounts } from './erase.js';
export { SuppressionList, addSuppressions, removeSuppressions } from './suppression/list.js';
export { exportSubject, type SubjectExport, type SubjectData, type ExportedEvent } from './access.js';
