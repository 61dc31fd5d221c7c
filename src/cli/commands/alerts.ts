import { resolve } from 'node:path';
import type { AlertsConfig, ChannelConfig } from '../../alerts/config.js';
import { DeliveryError } from '../../alerts/errors.js';
import { sendTestAlert } from '../../alerts/test-alert.js';
import { ConfigError } from '../../config/errors.js';
import { formatTable } from '../db-options.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { defineCommand, json, oneOf } from '../registry.js';
import { STORE_HELP, STORE_OPTIONS, storeAccess } from '../store.js';

const HELP = `Usage: segmentloom alerts <command> --config FILE [options]

  test CHANNEL               send one clearly synthetic alert through the named channel (no routes,
                             digest, rate limit or retries) and print the receiver's HTTP status and
                             answer (truncated; the channel's URL, key and secret never shown)
  channels list              the channels of the config's alerts section: type, receiver host,
                             routes, digest window (no URLs, keys or secrets)
  outbox list                alerts a channel could not deliver, parked in the store
  outbox retry ID... | --all send parked alerts now through their channel; delivered ones leave the
                             outbox, the others stay with the reason (exit 1 if any failed)

Options:
  --format table|json        output of channels list and outbox list (default table)
  --all                      outbox retry: every parked entry

The channels come from --config's alerts section (\${ENV} references resolved as the engine does);
the outbox from its storage section.

${STORE_HELP}`;

export const run = defineCommand({
  name: 'alerts',
  help: HELP,
  options: { ...STORE_OPTIONS, format: { type: 'string', default: 'table' }, all: { type: 'boolean' } },
  subcommands: ['test', 'channels', 'outbox'],
  async handler({ values, sub, args, io }) {
    const format = oneOf(values.format!, ['table', 'json'] as const, '--format');
    if (sub === 'test' && args.length !== 1) throw new UsageError('usage: segmentloom alerts test CHANNEL --config FILE');
    if (sub === 'channels' && (args.length !== 1 || args[0] !== 'list')) throw new UsageError('usage: segmentloom alerts channels list --config FILE');
    if (sub === 'outbox' && args[0] !== 'list' && args[0] !== 'retry')
      throw new UsageError('usage: segmentloom alerts outbox <list | retry ID... | retry --all> --config FILE');
    if (values.config === undefined) throw new UsageError(`alerts ${sub} needs --config FILE: its alerts section names the channels`);
    const alerts = await alertsSection(values.config, io);
    if (sub === 'test') return test(alerts, args[0]!, io);
    if (sub === 'channels') return channels(alerts.channels, format, io);
    const { outboxList, outboxRetry } = await import('../alerts-outbox.js');
    const store = await storeAccess(values, io);
    const db = await store.open();
    try {
      if (args[0] === 'list') {
        if (args.length !== 1) throw new UsageError('usage: segmentloom alerts outbox list --config FILE');
        return await outboxList(db, format, io);
      }
      const ids = args.slice(1);
      if ((ids.length === 0) === !values.all) throw new UsageError('outbox retry takes entry ids (see outbox list) or --all, not both');
      return await outboxRetry(db, alerts, values.all ? null : ids, io);
    } finally {
      await db.close();
    }
  },
});

async function alertsSection(file: string, io: CliIo): Promise<AlertsConfig> {
  const { loadServeConfig } = await import('../../api/serve-config.js');
  const config = await loadServeConfig(file, io.env);
  if (config.alerts === null) throw new ConfigError(`${resolve(file)}: alerts: the config has no \`alerts:\` section`, resolve(file), 'alerts');
  return config.alerts;
}

/** A channel's receiver without its credentials: Slack webhook URLs are secrets in full. */
function receiverHost(cfg: ChannelConfig): string {
  try {
    return new URL(cfg.url).host;
  } catch {
    return '?';
  }
}

function channels(list: readonly ChannelConfig[], format: string, io: CliIo): number {
  const rows = list.map((c) => ({
    name: c.name,
    type: c.type,
    receiver: receiverHost(c),
    classifications: c.routes.classifications,
    kinds: c.routes.kinds,
    digestWindowMs: c.digest.windowMs,
    ratePerMinute: c.rateLimit.perMinute,
  }));
  if (format === 'json') io.stdout.write(json(rows));
  else
    io.stdout.write(
      formatTable(
        ['NAME', 'TYPE', 'RECEIVER', 'ROUTES', 'DIGEST'],
        rows.map((r) => [r.name, r.type, r.receiver, `${r.classifications.join(',')} ${r.kinds.join(',')}`, `${r.digestWindowMs / 1000}s`]),
        40,
      ),
    );
  return EXIT.ok;
}

/** The receiver's answer as shown: one line, printable, at most 200 characters, the channel's secrets masked. */
export function shownAnswer(body: string, cfg: ChannelConfig): string {
  let text = body.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  const secrets = [cfg.url, 'routingKey' in cfg ? cfg.routingKey : '', 'secret' in cfg ? cfg.secret : ''].filter((s) => s.length >= 4);
  for (const secret of secrets) text = text.split(secret).join('[redacted]');
  if (text === '') return '(empty)';
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

async function test(alerts: AlertsConfig, name: string, io: CliIo): Promise<number> {
  const channel = alerts.channels.find((c) => c.name === name);
  if (!channel) {
    const names = alerts.channels.map((c) => c.name).join(', ') || '(none)';
    throw new ConfigError(`alerts.channels: no channel named "${name}" (channels: ${names})`, undefined, 'alerts.channels');
  }
  try {
    const { alert, answers } = await sendTestAlert(channel, { baseUrl: alerts.baseUrl });
    io.stdout.write(`sent test alert ${alert.id} to ${channel.type} channel "${channel.name}"\n`);
    for (const answer of answers) io.stdout.write(`receiver answered HTTP ${answer.status}: ${shownAnswer(answer.body, channel)}\n`);
    return EXIT.ok;
  } catch (err) {
    // DeliveryError messages carry the status only, never the (secret) receiver URL.
    const why = err instanceof DeliveryError ? err.message : 'delivery failed';
    io.stderr.write(`segmentloom alerts: test alert not delivered: ${why}\n`);
    return EXIT.failure;
  }
}
