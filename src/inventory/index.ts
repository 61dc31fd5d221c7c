export type { DataPointRecord, DataPointSignal } from './types.js';
export { InventoryAggregator, EventBucket, compareRecords } from './aggregate.js';
export { EventScanner, eventTime, type ScanOutcome } from '../pipeline/event-scanner.js';
export { maskValue } from './mask.js';
export { formatRecords, RECORD_FIELDS, RECORD_FORMATS, type RecordFormat } from './format.js';
