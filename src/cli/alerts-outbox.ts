import type { AlertsConfig } from '../alerts/config.js';
import { listParked } from '../alerts/outbox-admin.js';
import { SqlOutbox } from '../alerts/outbox-sql.js';
import { retryOutboxNow } from '../alerts/outbox-retry.js';
import type { Db } from '../storage/db.js';
import { formatTable } from './db-options.js';
import { EXIT, type CliIo } from './io.js';
import { json } from './registry.js';

/** `alerts outbox list|retry`: the durable outbox the engines park undeliverable alerts in. */

export async function outboxList(db: Db, format: string, io: CliIo): Promise<number> {
  // The API's own listing (GET /alerts/outbox): counts and what the alerts are about, never examples.
  const { items, total } = await listParked(db, { now: new Date(), limit: LIST_LIMIT, offset: 0 });
  if (format === 'json') io.stdout.write(json({ items, total }));
  else {
    io.stdout.write(
      formatTable(
        ['ID', 'CHANNEL', 'ALERTS', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR'],
        items.map((r) => [r.id, r.channel, r.alerts, r.attempts, r.nextAttemptAt, r.lastError]),
        60,
      ),
    );
    const shown = total > items.length ? ` (the oldest ${items.length} shown)` : '';
    io.stdout.write(`${total} entr${total === 1 ? 'y' : 'ies'}${shown}, ${items.reduce((n, r) => n + r.alerts, 0)} alerts\n`);
  }
  return EXIT.ok;
}

/** Entries one `outbox list` prints; the total counts every one. */
const LIST_LIMIT = 1_000;

export async function outboxRetry(db: Db, alerts: AlertsConfig, ids: string[] | null, io: CliIo): Promise<number> {
  const outcomes = await retryOutboxNow(new SqlOutbox(db), { ids, channels: alerts.channels, baseUrl: alerts.baseUrl });
  for (const o of outcomes) io.stdout.write(`${o.id}  ${o.channel}  ${o.alerts} alert(s)  ${o.result}${o.error ? `: ${o.error}` : ''}\n`);
  const missing = ids === null ? [] : ids.filter((id) => !outcomes.some((o) => o.id === id));
  for (const id of missing) io.stderr.write(`segmentloom alerts: no outbox entry ${id} free to retry (delivered, unknown, or being sent by an engine now)\n`);
  io.stdout.write(`${outcomes.filter((o) => o.result === 'delivered').length} delivered, ${outcomes.filter((o) => o.result !== 'delivered').length} kept\n`);
  return outcomes.every((o) => o.result === 'delivered') && missing.length === 0 ? EXIT.ok : EXIT.failure;
}
