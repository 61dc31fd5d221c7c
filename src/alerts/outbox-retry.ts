import { createChannel } from './channels/index.js';
import type { ChannelConfig } from './config.js';
import { DeliveryError, describeError } from './errors.js';
import type { SqlOutbox } from './outbox-sql.js';
import type { AlertChannel } from './types.js';

export interface RetryOutcome {
  id: string;
  channel: string;
  alerts: number;
  /** delivered: removed from the outbox; failed: kept, with the reason; unknown_channel: kept, untouched. */
  result: 'delivered' | 'failed' | 'unknown_channel';
  error?: string;
}

/**
 * An operator's "retry now" of parked alerts (`segmentloom alerts outbox retry`): each entry is
 * leased (so a running engine's sweep does not send it too), sent once through its channel as
 * configured, then removed when delivered or kept with the reason and its attempt counted.
 * Alerts a per-point channel accepted before failing are not sent again.
 */
export async function retryOutboxNow(
  outbox: SqlOutbox,
  opts: { ids: readonly string[] | null; channels: readonly ChannelConfig[]; baseUrl: string; now?: Date; channelFactory?: typeof createChannel },
): Promise<RetryOutcome[]> {
  const now = opts.now ?? new Date();
  const entries = await outbox.claimNow({ ids: opts.ids, now, leaseMs: 5 * 60_000 });
  const made = new Map<string, AlertChannel>();
  const outcomes: RetryOutcome[] = [];
  for (const entry of entries) {
    const cfg = opts.channels.find((c) => c.name === entry.channel);
    const base = { id: entry.id, channel: entry.channel, alerts: entry.alerts.length };
    if (cfg === undefined) {
      await outbox.reschedule(entry.id, { nextAttemptAt: entry.nextAttemptAt, countAttempt: false });
      outcomes.push({ ...base, result: 'unknown_channel', error: `no channel named "${entry.channel}" in the config` });
      continue;
    }
    let channel = made.get(cfg.name);
    if (channel === undefined) {
      channel = (opts.channelFactory ?? createChannel)(cfg, opts.baseUrl);
      made.set(cfg.name, channel);
    }
    try {
      await channel.send(entry.alerts);
      await outbox.complete(entry.id);
      outcomes.push({ ...base, result: 'delivered' });
    } catch (err) {
      const reason = describeError(err);
      const undelivered = err instanceof DeliveryError ? err.opts.undelivered : undefined;
      if (undelivered && undelivered.length < entry.alerts.length) {
        await outbox.put({ channel: entry.channel, alerts: undelivered, lastError: reason, nextAttemptAt: entry.nextAttemptAt });
        await outbox.complete(entry.id);
      } else {
        await outbox.reschedule(entry.id, { nextAttemptAt: entry.nextAttemptAt, lastError: reason, countAttempt: true });
      }
      outcomes.push({ ...base, result: 'failed', error: reason });
    }
  }
  return outcomes;
}
