import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OverflowBound } from '../inventory/store-cache.js';
import { leaksOf, type BatchReport, type EngineObserver } from '../pipeline/report.js';

/**
 * The engine's Prometheus metrics. Labels carry only bounded, non-personal values: destination,
 * policy and classifier names from the config, reason codes, topic/partition numbers.
 */
export class EngineMetrics implements EngineObserver {
  readonly registry: Registry;
  private readonly eventsIn: Counter;
  private readonly eventsOut: Counter<'destination'>;
  private readonly dropped: Counter<'reason'>;
  private readonly deadLettered: Counter<'code'>;
  private readonly dataPoints: Counter<'classification'>;
  private readonly actions: Counter<'policy' | 'action'>;
  private readonly batchDuration: Histogram;
  private readonly lag: Gauge<'topic' | 'partition'>;
  private readonly reloads: Counter<'result'>;
  private readonly stored: Counter;
  private readonly verified: Counter<'destination'>;
  private readonly leaks: Counter<'destination' | 'category'>;
  private readonly redeliveries: Counter<'topic' | 'partition'>;

  constructor(options: { registry?: Registry; defaultMetrics?: boolean } = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'segmentloom_' });
    this.eventsIn = new Counter({ name: 'segmentloom_events_in_total', help: 'Input messages read from the source', registers });
    this.eventsOut = new Counter({ name: 'segmentloom_events_out_total', help: 'Events written to a destination', labelNames: ['destination'], registers });
    this.dropped = new Counter({
      name: 'segmentloom_events_dropped_total',
      help: 'Events written nowhere on purpose (suppression, policy)',
      labelNames: ['reason'],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'segmentloom_events_dead_lettered_total',
      help: 'Input messages sent to the dead-letter target',
      labelNames: ['code'],
      registers,
    });
    this.dataPoints = new Counter({
      name: 'segmentloom_data_points_total',
      help: 'Values classified as personal data',
      labelNames: ['classification'],
      registers,
    });
    this.actions = new Counter({
      name: 'segmentloom_policy_actions_total',
      help: 'Values changed by a policy, per action',
      labelNames: ['policy', 'action'],
      registers,
    });
    this.batchDuration = new Histogram({
      name: 'segmentloom_batch_duration_seconds',
      help: 'Time from receiving a batch to committing it',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.lag = new Gauge({
      name: 'segmentloom_consumer_lag',
      help: 'High watermark minus the next offset to consume, after the last batch',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.stored = new Counter({ name: 'segmentloom_events_stored_total', help: 'Events written to the encrypted event store', registers });
    this.redeliveries = new Counter({
      name: 'segmentloom_batch_redeliveries_total',
      help: 'Batches not delivered (send, store write or commit failed) whose partition was read again from them',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.verified = new Counter({
      name: 'segmentloom_verify_outputs_total',
      help: 'Outputs re-scanned by verify mode',
      labelNames: ['destination'],
      registers,
    });
    // Category is a classifier id from the config (bounded); paths go to the log line, not labels.
    this.leaks = new Counter({
      name: 'segmentloom_verify_leaks_total',
      help: 'Values verify mode found in an output whose destination is not approved for them',
      labelNames: ['destination', 'category'],
      registers,
    });
    this.reloads = new Counter({
      name: 'segmentloom_config_reloads_total',
      help: 'Hot reloads of classifiers and policies',
      labelNames: ['result'],
      registers,
    });
  }

  onBatch(report: BatchReport): void {
    if (report.eventsIn > 0) this.eventsIn.inc(report.eventsIn);
    if (report.stored > 0) this.stored.inc(report.stored);
    for (const [destination, n] of report.out) this.eventsOut.inc({ destination }, n);
    for (const [reason, n] of report.dropped) this.dropped.inc({ reason }, n);
    for (const [code, n] of report.deadLettered) this.deadLettered.inc({ code }, n);
    for (const [classification, n] of report.detections) this.dataPoints.inc({ classification }, n);
    for (const [policy, byAction] of report.actions) {
      for (const [action, n] of byAction) this.actions.inc({ policy, action }, n);
    }
    for (const [destination, n] of report.verified) this.verified.inc({ destination }, n);
    for (const leak of leaksOf(report)) this.leaks.inc({ destination: leak.destination, category: leak.category }, leak.values);
    this.batchDuration.observe(report.durationSeconds);
    if (report.lag) this.lag.set({ topic: report.lag.topic, partition: String(report.lag.partition) }, report.lag.lag);
  }

  onRedelivery(where: { topic: string; partition: number }): void {
    this.redeliveries.inc({ topic: where.topic, partition: String(where.partition) });
  }

  onReload(result: 'applied' | 'rejected'): void {
    this.reloads.inc({ result });
  }

  /** Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * `segmentloom_inventory_overflow_total{bound}`: values the shared inventory recorded under an
 * overflow entry ("(other event names)", "(other paths)") instead of their own point. The label is
 * the bound (`event_names`, `paths`), never a name or a path. Reused when already registered.
 */
export function inventoryOverflowCounter(registry: Registry): (bound: OverflowBound, values: number) => void {
  const name = 'segmentloom_inventory_overflow_total';
  const counter =
    (registry.getSingleMetric(name) as Counter<'bound'> | undefined) ??
    new Counter({
      name,
      help: 'Values recorded under an inventory overflow entry, per bound (distinct event names, paths)',
      labelNames: ['bound'],
      registers: [registry],
    });
  return (bound, values) => counter.inc({ bound }, values);
}

/**
 * `segmentloom_inventory_flushes_total` and `segmentloom_inventory_point_writes_total`: the shared
 * inventory's flushes and the point rows they wrote (one per point per flush, whatever the traffic
 * folded into it). Their ratio to events shows the inventory's cost does not grow with traffic.
 */
export function inventoryFlushCounter(registry: Registry): (points: number) => void {
  const counter = (name: string, help: string) => (registry.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, registers: [registry] });
  const flushes = counter('segmentloom_inventory_flushes_total', 'Flushes of the inventory deltas folded in memory to the shared inventory');
  const writes = counter('segmentloom_inventory_point_writes_total', 'Point rows written by inventory flushes (one per point per flush)');
  return (points) => {
    flushes.inc();
    writes.inc(points);
  };
}
