import { iterateAudit, listAudit, type AuditEntry, type AuditFilters } from '../../api/audit.js';
import { formatTable } from '../db-options.js';
import { EXIT, UsageError } from '../io.js';
import { defineCommand, exactArgs, oneOf } from '../registry.js';
import { STORE_HELP, STORE_OPTIONS, storeAccess } from '../store.js';

const HELP = `Usage: segmentloom audit <tail | export> [options]

The audit log of every change made through the API or the CLI (append-only; entries name data
subjects by their lookup hash only), without curl.

Commands:
  tail [-n N] [--format table|json]   the last N entries (default 20), oldest first
  export [--output FILE]              every matching entry as NDJSON (stdout by default)

Filters: --action A (e.g. inventory.accept, keys.create), --target-type T, --target-id ID,
--since ISO-TIME, --until ISO-TIME.

${STORE_HELP}`;

export const run = defineCommand({
  name: 'audit',
  help: HELP,
  options: {
    ...STORE_OPTIONS,
    n: { type: 'string', short: 'n' },
    format: { type: 'string', default: 'table' },
    output: { type: 'string', short: 'o' },
    action: { type: 'string' },
    'target-type': { type: 'string' },
    'target-id': { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
  },
  subcommands: ['tail', 'export'],
  async handler({ values, sub, args, io }) {
    exactArgs(args, 0, `audit ${sub} [options]`);
    const format = oneOf(values.format!, ['table', 'json'] as const, '--format');
    for (const flag of ['since', 'until'] as const) {
      if (values[flag] !== undefined && Number.isNaN(Date.parse(values[flag]!)))
        throw new UsageError(`--${flag} must be an ISO 8601 time such as 2026-01-31T00:00:00Z`);
    }
    const n = values.n === undefined ? 20 : Number(values.n);
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new UsageError('-n must be an integer from 1 to 10000');
    const filters: AuditFilters = {
      action: values.action,
      targetType: values['target-type'],
      targetId: values['target-id'],
      since: values.since,
      until: values.until,
    };
    const store = await storeAccess(values, io);
    const db = await store.open();
    try {
      if (sub === 'export') {
        const { createWriteStream } = await import('node:fs');
        const out = values.output ? createWriteStream(values.output, { mode: 0o600 }) : io.stdout;
        let count = 0;
        for await (const entry of iterateAudit(db, filters)) {
          out.write(`${JSON.stringify(entry)}\n`);
          count++;
        }
        if (values.output)
          await new Promise<void>((resolve, reject) => (out as import('node:fs').WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
        io.stderr.write(`segmentloom audit: ${count} entr${count === 1 ? 'y' : 'ies'}\n`);
        return EXIT.ok;
      }
      // The last n: newest first from the database, printed oldest first like `tail`.
      const entries: AuditEntry[] = [];
      let after: number | undefined;
      for (;;) {
        const page = await listAudit(db, { ...filters, after, limit: 1_000 });
        entries.push(...page);
        if (entries.length > n) entries.splice(0, entries.length - n);
        if (page.length < 1_000) break;
        after = page[page.length - 1]!.id;
      }
      if (format === 'json') io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      else {
        io.stdout.write(
          formatTable(
            ['ID', 'AT', 'ACTOR', 'ACTION', 'TARGET'],
            entries.map((e) => [
              e.id,
              e.at,
              e.actor.keyId ? `${e.actor.role}:${e.actor.keyId}` : e.actor.role,
              e.action,
              `${e.target.type}${e.target.id ? ` ${e.target.id}` : ''}`,
            ]),
            80,
          ),
        );
      }
      return EXIT.ok;
    } finally {
      await db.close();
    }
  },
});
