import type { DataPointSignal } from '../inventory/types.js';
import { toAlert } from './alert.js';
import { createChannel } from './channels/index.js';
import type { ChannelConfig } from './config.js';
import type { Alert, AlertChannel, ReceiverAnswer } from './types.js';

/** A data point no real stream produces: names and the `.invalid` example say "test" at a glance. */
export function syntheticSignal(now: Date = new Date()): DataPointSignal {
  const at = now.toISOString();
  return {
    kind: 'new',
    detectedAt: at,
    point: {
      source: 'segmentloom-test',
      event: 'Segmentloom Test Alert',
      path: 'properties.segmentloom_test.email',
      category: 'email',
      dataCategory: 'user.contact.email',
      classification: 'red',
      matchedOn: 'key+value',
      confidence: 1,
      matcher: 'synthetic test alert',
      count: 1,
      firstSeen: at,
      lastSeen: at,
      example: 't***@example.invalid',
    },
  };
}

/**
 * Sends one synthetic alert through a channel, bypassing routes, digest, rate limit and retries so
 * the operator sees the receiver's answer (status and body) right away. Throws DeliveryError on failure.
 */
export async function sendTestAlert(
  cfg: ChannelConfig,
  opts: { baseUrl: string; now?: Date; channelFactory?: (cfg: ChannelConfig, baseUrl: string) => AlertChannel },
): Promise<{ alert: Alert; answers: readonly ReceiverAnswer[] }> {
  const alert: Alert = { ...toAlert(syntheticSignal(opts.now), opts.baseUrl), test: true };
  const channel = (opts.channelFactory ?? createChannel)(cfg, opts.baseUrl);
  const answers = await channel.send([alert]);
  return { alert, answers: answers ?? [] };
}
