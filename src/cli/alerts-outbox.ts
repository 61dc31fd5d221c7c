import type { AlertsConfig } from '../alerts/config.js';
import { SqlOutbox } from '../alerts/outbox-sql.js';
import { retryOutboxNow } from '../alerts/outbox-retry.js';
import type { Db } from '../storage/db.js';
import { formatTable } from './db-options.js';
import { EXIT, type CliIo } from './io.js';
import { json } from './registry.js';

/** `alerts outbox list|retry`: the durable outbox the engines park undeliverable alerts in. */

export async function outboxList(db: Db, format: string, io: CliIo): Promise<number> {
  const entries = await new SqlOutbox(db).list();
  // Alerts hold masked examples only; the list shows counts and what they are about, not examples.
  const rows = entries.map((e) => ({
    id: e.id,
    channel: e.channel,
    alerts: e.alerts.length,
    sources: [...new Set(e.alerts.map((a) => a.source))],
    attempts: e.attempts,
    lastError: e.lastError,
    createdAt: e.createdAt.toISOString(),
    nextAttemptAt: e.nextAttemptAt.toISOString(),
  }));
  if (format === 'json') io.stdout.write(json({ items: rows, total: rows.length }));
  else {
    io.stdout.write(
      formatTable(
        ['ID', 'CHANNEL', 'ALERTS', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR'],
        rows.map((r) => [r.id, r.channel, r.alerts, r.attempts, r.nextAttemptAt, r.lastError]),
        60,
      ),
    );
    io.stdout.write(`${rows.length} entr${rows.length === 1 ? 'y' : 'ies'}, ${rows.reduce((n, r) => n + r.alerts, 0)} alerts\n`);
  }
  return EXIT.ok;
}

export async function outboxRetry(db: Db, alerts: AlertsConfig, ids: string[] | null, io: CliIo): Promise<number> {
  const outcomes = await retryOutboxNow(new SqlOutbox(db), { ids, channels: alerts.channels, baseUrl: alerts.baseUrl });
  for (const o of outcomes) io.stdout.write(`${o.id}  ${o.channel}  ${o.alerts} alert(s)  ${o.result}${o.error ? `: ${o.error}` : ''}\n`);
  const missing = ids === null ? [] : ids.filter((id) => !outcomes.some((o) => o.id === id));
  for (const id of missing) io.stderr.write(`segmentloom alerts: no outbox entry ${id} free to retry (delivered, unknown, or being sent by an engine now)\n`);
  io.stdout.write(`${outcomes.filter((o) => o.result === 'delivered').length} delivered, ${outcomes.filter((o) => o.result !== 'delivered').length} kept\n`);
  return outcomes.every((o) => o.result === 'delivered') && missing.length === 0 ? EXIT.ok : EXIT.failure;
}
