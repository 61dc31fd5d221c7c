/**
 * The alerts outbox (durable retry queue for alert delivery). Its SQL is owned by src/alerts, next
 * to the code that uses it; it is registered here so every database gets it on open.
 */
import { ALERT_OUTBOX_MIGRATION } from '../outbox-sql.js';

export const version: number = ALERT_OUTBOX_MIGRATION.version;
export const name: string = ALERT_OUTBOX_MIGRATION.name;
export const sql: string = ALERT_OUTBOX_MIGRATION.sql;
