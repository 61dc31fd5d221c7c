import { Counter, type Registry } from 'prom-client';

/**
 * Status of alerts per channel: `delivered`, `retried` (an attempt failed and will be retried in-line),
 * `outboxed` (parked after the last retry), `outbox_delivered`, `rejected` (enqueued after close).
 * Counts alerts, not HTTP requests.
 */
export type AlertStatus = 'delivered' | 'retried' | 'outboxed' | 'outbox_delivered' | 'rejected';

export type MetricCallback = (m: { name: 'alerts_sent_total'; labels: { channel: string; status: AlertStatus }; value: number }) => void;

export type CountFn = (channel: string, status: AlertStatus, n: number) => void;

/** Builds the counter sink: a callback, a prom-client registry, both, or neither. */
export function alertCounter(opts: { onMetric?: MetricCallback; registry?: Registry }): CountFn {
  let counter: Counter<'channel' | 'status'> | undefined;
  if (opts.registry) {
    // A second dispatcher on the same registry reuses the counter instead of throwing on re-registration.
    counter =
      (opts.registry.getSingleMetric('alerts_sent_total') as Counter<'channel' | 'status'> | undefined) ??
      new Counter({
        name: 'alerts_sent_total',
        help: 'Segmentloom alerts by channel and delivery status',
        labelNames: ['channel', 'status'],
        registers: [opts.registry],
      });
  }
  return (channel, status, n) => {
    if (n <= 0) return;
    counter?.inc({ channel, status }, n);
    opts.onMetric?.({ name: 'alerts_sent_total', labels: { channel, status }, value: n });
  };
}
