import * as m001 from './001_events_and_keys.js';
import * as m002 from '../../inventory/migrations/002_inventory.js';
import * as m003 from '../../api/migrations/003_api.js';
import * as m004 from './004_subject_links.js';
import * as m005 from '../../inventory/migrations/005_reviewed_points_index.js';
import * as m006 from '../../api/migrations/006_audit_log_append_only.js';
import * as m007 from './007_erasure_tombstones.js';
import * as m008 from './008_events_subject_message_id.js';
import * as m009 from '../../api/migrations/009_keys_manage_scope.js';
import * as m010 from './010_request_deadlines.js';
import * as m011 from './011_point_categories.js';
import * as m012 from './012_request_corrections.js';
import * as m013 from './013_inventory_example_age.js';
import * as m014 from '../../inventory/migrations/014_inventory_drift.js';
import * as m015 from '../../ingest/migrations/015_ingest_message_ids.js';
import * as m016 from './016_portal_sessions.js';
import * as m017 from './017_inventory_exceptions.js';
import * as m018 from './018_request_progress.js';
import * as m019 from '../../ingest/migrations/019_ingest_message_ids_unlogged.js';
import * as m100 from '../../alerts/migrations/100_alert_outbox.js';
import * as m200 from '../../ingest/migrations/200_write_keys.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Every migration, in version order: the one registry. Each file lives in the `migrations/` folder
 * of the folder whose tables it creates; its version and name are what stores have recorded, so
 * they never change. Append new ones; never edit or reorder applied ones. Versions 100+ belong to
 * other modules (100: alerts outbox, 200: ingest write keys).
 */
export const MIGRATIONS: readonly Migration[] = [
  m001,
  m002,
  m003,
  m004,
  m005,
  m006,
  m007,
  m008,
  m009,
  m010,
  m011,
  m012,
  m013,
  m014,
  m015,
  m016,
  m017,
  m018,
  m019,
  m100,
  m200,
];
