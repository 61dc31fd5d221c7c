import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DataPointSignal } from '../inventory/types.js';
import { toAlert } from './alert.js';
import { backoffDelay, sleep } from './backoff.js';
import { createChannel } from './channels/index.js';
import type { AlertsConfig, ChannelConfig } from './config.js';
import { DeliveryError, describeError } from './errors.js';
import { alertCounter, type CountFn, type MetricCallback } from './metrics.js';
import { MemoryOutbox, type AlertOutbox, type OutboxEntry } from './outbox.js';
import { TokenBucket } from './rate-limit.js';
import type { Alert, AlertChannel } from './types.js';

export interface AlertDispatcherOptions {
  config: AlertsConfig;
  /** Where undeliverable alerts wait. Default: in-memory (lost at exit); use SqlOutbox in production. */
  outbox?: AlertOutbox;
  logger?: Logger;
  onMetric?: MetricCallback;
  registry?: Registry;
  /** Plug-in point for other channel types; defaults to the built-in slack/webhook/pagerduty. */
  channelFactory?: (cfg: ChannelConfig, baseUrl: string) => AlertChannel;
  /** Clock for rate limiting and outbox scheduling (tests move it). */
  now?: () => number;
  /** Jitter source for backoff (tests pin it). */
  random?: () => number;
}

/** One channel's queue and limits. */
interface Lane {
  cfg: ChannelConfig;
  channel: AlertChannel;
  bucket: TokenBucket;
  pending: Alert[];
  timer: NodeJS.Timeout | undefined;
  draining: Promise<void> | undefined;
}

/** Memory bound per channel; beyond it alerts are parked in the outbox rather than dropped. */
const MAX_PENDING = 10_000;
const OUTBOX_BATCH = 100;
const OUTBOX_LEASE_MS = 5 * 60_000;
const OUTBOX_MAX_DELAY_MS = 60 * 60_000;

/**
 * Routes DataPointSignals to channels, batches them into digests, rate-limits, retries, and parks
 * what still fails in the outbox. `enqueue` is synchronous and never awaits I/O: the event pipeline
 * calls it on the hot path; all delivery happens on timers.
 */
export class AlertDispatcher {
  private readonly lanes = new Map<string, Lane>();
  private readonly outbox: AlertOutbox;
  /** Catches alerts the configured outbox could not store (e.g. database down), so they are not lost. */
  private readonly fallback = new MemoryOutbox();
  private readonly log: Logger;
  private readonly count: CountFn;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly shutdown = new AbortController();
  private readonly sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<OutboxSweepResult> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: AlertDispatcherOptions) {
    this.outbox = opts.outbox ?? new MemoryOutbox();
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'alerts' });
    this.count = alertCounter({ onMetric: opts.onMetric, registry: opts.registry });
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    const factory = opts.channelFactory ?? createChannel;
    for (const cfg of opts.config.channels) {
      this.lanes.set(cfg.name, {
        cfg,
        channel: factory(cfg, opts.config.baseUrl),
        bucket: new TokenBucket(cfg.rateLimit.perMinute, this.now),
        pending: [],
        timer: undefined,
        draining: undefined,
      });
    }
    const every = opts.config.outbox.retryIntervalMs;
    if (every > 0 && this.lanes.size > 0) {
      this.sweepTimer = setInterval(() => void this.retryOutbox().catch(() => undefined), every);
      // The sweep alone must not keep a finished process alive; pending digests do (their timers are ref'd).
      this.sweepTimer.unref();
    }
  }

  /**
   * Queues alerts for every channel whose routes match. Synchronous, never throws, never blocks:
   * returns the number of (alert, channel) pairs queued.
   */
  enqueue(signals: DataPointSignal | readonly DataPointSignal[]): number {
    const list: readonly DataPointSignal[] = Array.isArray(signals) ? signals : [signals as DataPointSignal];
    if (this.closing) {
      this.log.warn({ signals: list.length }, 'alert dispatcher is closed; signals not queued');
      for (const lane of this.lanes.values()) this.count(lane.cfg.name, 'rejected', list.length);
      return 0;
    }
    let queued = 0;
    for (const signal of list) {
      let alert: Alert;
      try {
        alert = toAlert(signal, this.opts.config.baseUrl);
      } catch (err) {
        this.log.error({ reason: describeError(err) }, 'could not build alert from signal');
        continue;
      }
      for (const lane of this.lanes.values()) {
        const r = lane.cfg.routes;
        if (!r.classifications.includes(alert.classification) || !r.kinds.includes(alert.kind)) continue;
        lane.pending.push(alert);
        queued++;
      }
    }
    for (const lane of this.lanes.values()) {
      if (lane.pending.length > MAX_PENDING) {
        const overflow = lane.pending.splice(MAX_PENDING);
        this.track(this.park(lane, overflow, 'queue full', this.now()));
      }
      this.arm(lane);
    }
    return queued;
  }

  /** Alerts waiting for their digest window, per channel. */
  pending(): Record<string, number> {
    return Object.fromEntries([...this.lanes].map(([name, l]) => [name, l.pending.length]));
  }

  /**
   * Sends everything queued now, without waiting for digest windows, and waits for deliveries in
   * flight. What the rate limit does not allow right now is parked in the outbox, so flush ends promptly.
   */
  async flush(): Promise<void> {
    await Promise.all(
      [...this.lanes.values()].map(async (lane) => {
        while (lane.draining) await lane.draining;
        // A drain that just ended re-arms its window: this flush drains instead (one drain per lane).
        if (lane.timer) clearTimeout(lane.timer);
        lane.timer = undefined;
        if (lane.pending.length > 0) await this.startDrain(lane, true);
      }),
    );
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  /**
   * Stops accepting signals, cuts in-line retry waits short (failing batches go to the outbox at
   * once), flushes, and stops timers. With the in-memory outbox, what is still parked is lost at exit
   * and logged as such.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.sweepTimer) clearInterval(this.sweepTimer);
      this.shutdown.abort();
      await this.flush();
      if (this.sweeping) await this.sweeping.catch(() => undefined);
      const left = (await this.fallback.size()) + (this.outbox instanceof MemoryOutbox ? await this.outbox.size() : 0);
      if (left > 0) this.log.warn({ entries: left }, 'undelivered alerts remain in an in-memory outbox at close');
    })();
    return this.closing;
  }

  /**
   * One sweep of the outbox: each due entry gets one delivery attempt (rate limit permitting).
   * Runs on `outbox.retryIntervalMs`; call it directly to retry now.
   */
  retryOutbox(): Promise<OutboxSweepResult> {
    this.sweeping ??= this.sweep().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async sweep(): Promise<OutboxSweepResult> {
    const result: OutboxSweepResult = { delivered: 0, failed: 0, deferred: 0 };
    for (const store of [this.fallback, this.outbox]) {
      let entries: OutboxEntry[];
      try {
        entries = await store.claimDue({ now: new Date(this.now()), limit: OUTBOX_BATCH, leaseMs: OUTBOX_LEASE_MS });
      } catch (err) {
        this.log.error({ reason: describeError(err) }, 'could not read the alert outbox');
        continue;
      }
      for (const entry of entries) await this.retryEntry(store, entry, result);
    }
    return result;
  }

  private async retryEntry(store: AlertOutbox, entry: OutboxEntry, result: OutboxSweepResult): Promise<void> {
    const now = this.now();
    const lane = this.lanes.get(entry.channel);
    try {
      if (!lane) {
        // Channel removed from config: keep the alerts (an operator may restore it), retry rarely.
        this.log.warn({ channel: entry.channel, entry: entry.id }, 'outbox entry for unknown channel kept');
        await store.reschedule(entry.id, { nextAttemptAt: new Date(now + OUTBOX_MAX_DELAY_MS), lastError: 'unknown channel', countAttempt: false });
        result.deferred++;
        return;
      }
      const cost = lane.channel.perAlertRequests ? Math.min(entry.alerts.length, lane.cfg.rateLimit.perMinute) : 1;
      if (!lane.bucket.tryTake(cost)) {
        await store.reschedule(entry.id, { nextAttemptAt: new Date(now + lane.cfg.digest.windowMs), countAttempt: false });
        result.deferred++;
        return;
      }
      try {
        await lane.channel.send(entry.alerts);
        await store.complete(entry.id);
        this.count(lane.cfg.name, 'outbox_delivered', entry.alerts.length);
        this.log.info({ channel: lane.cfg.name, alerts: entry.alerts.length, entry: entry.id }, 'outbox alerts delivered');
        result.delivered += entry.alerts.length;
      } catch (err) {
        const reason = describeError(err);
        const undelivered = err instanceof DeliveryError ? err.opts.undelivered : undefined;
        const next = new Date(now + this.outboxDelay(entry.attempts + 1));
        if (undelivered && undelivered.length < entry.alerts.length) {
          // Partly accepted (per-point channel): keep only what is still owed.
          this.count(lane.cfg.name, 'outbox_delivered', entry.alerts.length - undelivered.length);
          await store.put({ channel: entry.channel, alerts: undelivered, lastError: reason, nextAttemptAt: next });
          await store.complete(entry.id);
        } else {
          await store.reschedule(entry.id, { nextAttemptAt: next, lastError: reason, countAttempt: true });
        }
        this.log.warn({ channel: lane.cfg.name, entry: entry.id, attempts: entry.attempts + 1, reason }, 'outbox retry failed');
        result.failed += (undelivered ?? entry.alerts).length;
      }
    } catch (err) {
      // The store itself failed; the lease expires and another sweep picks the entry up again.
      this.log.error({ channel: entry.channel, entry: entry.id, reason: describeError(err) }, 'alert outbox update failed');
    }
  }

  private outboxDelay(attempt: number): number {
    const base = this.opts.config.outbox.retryIntervalMs || 60_000;
    return Math.min(OUTBOX_MAX_DELAY_MS, base * 2 ** Math.min(attempt - 1, 16));
  }

  /** Starts the digest window for a lane that has work and nothing scheduled. */
  private arm(lane: Lane): void {
    if (lane.timer || lane.draining || lane.pending.length === 0 || this.closing) return;
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      // One delivery at a time per channel: a drain started meanwhile (flush) re-arms when it ends.
      if (!lane.draining) void this.startDrain(lane, false);
    }, lane.cfg.digest.windowMs);
  }

  private startDrain(lane: Lane, force: boolean): Promise<void> {
    const run = this.drain(lane, force)
      .catch((err: unknown) => this.log.error({ channel: lane.cfg.name, reason: describeError(err) }, 'alert drain failed'))
      .finally(() => {
        lane.draining = undefined;
        this.arm(lane);
      });
    lane.draining = run;
    this.track(run);
    return run;
  }

  /**
   * Sends the lane's queue as digests of up to `maxItems`, one delivery at a time per channel (a
   * struggling receiver gets no parallel load). Stops when the bucket is empty or a batch fails for
   * good: the rest waits for the next window, or with `force` (flush/close) is parked in the outbox.
   */
  private async drain(lane: Lane, force: boolean): Promise<void> {
    const { maxItems, windowMs } = lane.cfg.digest;
    while (lane.pending.length > 0) {
      const avail = lane.bucket.available();
      const n = lane.channel.perAlertRequests ? Math.min(maxItems, avail) : avail >= 1 ? maxItems : 0;
      if (n === 0) {
        if (force) {
          await this.park(lane, lane.pending.splice(0), 'rate limited at flush', this.now() + windowMs);
        } else {
          this.log.debug({ channel: lane.cfg.name, waiting: lane.pending.length }, 'rate limit reached; alerts wait for the next window');
        }
        return;
      }
      const batch = lane.pending.splice(0, n);
      lane.bucket.tryTake(lane.channel.perAlertRequests ? batch.length : 1);
      if (!(await this.deliver(lane, batch))) {
        // The receiver just exhausted a batch's retries: don't walk the rest of the queue into the
        // same wall. At flush the rest is parked right away; otherwise it waits for the next window.
        if (force) await this.park(lane, lane.pending.splice(0), 'channel failing at flush', this.now());
        return;
      }
    }
  }

  /** In-line retries with exponential backoff and full jitter; after the last one, the outbox. True when delivered. */
  private async deliver(lane: Lane, batch: Alert[]): Promise<boolean> {
    const { attempts, baseMs, maxMs } = lane.cfg.retry;
    const name = lane.cfg.name;
    let remaining = batch;
    for (let attempt = 1; ; attempt++) {
      try {
        await lane.channel.send(remaining);
        this.count(name, 'delivered', remaining.length);
        this.log.info({ channel: name, type: lane.channel.type, alerts: remaining.length, attempt }, 'alerts delivered');
        return true;
      } catch (err) {
        const de = err instanceof DeliveryError ? err : undefined;
        if (de?.opts.undelivered) {
          this.count(name, 'delivered', remaining.length - de.opts.undelivered.length);
          remaining = de.opts.undelivered;
        }
        const reason = describeError(err);
        const retryable = de ? de.retryable : true;
        if (!retryable || attempt >= attempts || this.shutdown.signal.aborted) {
          await this.park(lane, remaining, reason, this.now());
          return false;
        }
        const delayMs = Math.max(backoffDelay(attempt, baseMs, maxMs, this.random), Math.min(de?.opts.retryAfterMs ?? 0, maxMs));
        this.count(name, 'retried', remaining.length);
        this.log.warn({ channel: name, alerts: remaining.length, attempt, delayMs, reason }, 'alert delivery failed; retrying');
        await sleep(delayMs, this.shutdown.signal);
      }
    }
  }

  /** Never throws and never drops: if the outbox cannot store the alerts, the in-memory fallback does. */
  private async park(lane: Lane, alerts: Alert[], reason: string, nextAttemptAt: number): Promise<void> {
    if (alerts.length === 0) return;
    const entry = { channel: lane.cfg.name, alerts, lastError: reason, nextAttemptAt: new Date(nextAttemptAt) };
    try {
      await this.outbox.put(entry);
    } catch (err) {
      this.log.error({ channel: lane.cfg.name, alerts: alerts.length, reason: describeError(err) }, 'alert outbox unavailable; keeping alerts in memory');
      await this.fallback.put(entry);
    }
    this.count(lane.cfg.name, 'outboxed', alerts.length);
    this.log.warn({ channel: lane.cfg.name, alerts: alerts.length, alertIds: alerts.slice(0, 10).map((a) => a.id), reason }, 'alerts parked in the outbox');
  }

  private track(p: Promise<unknown>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => undefined);
  }
}

export interface OutboxSweepResult {
  /** Alerts delivered from the outbox in this sweep. */
  delivered: number;
  /** Alerts whose attempt failed (rescheduled with backoff). */
  failed: number;
  /** Entries not attempted (rate limit, unknown channel). */
  deferred: number;
}
