import { Consumer, ListOffsetTimestamps, type ClusterMetadata, type GroupAssignment, type RecordsBatch } from '@platformatic/kafka';
import type { KafkaConfig } from '../../config/load.js';
import type { EventSource, HeaderValue, InputMessage, SourceBatch } from '../../events/index.js';
import type { KafkaSourceOptions } from './source.js';
import { saslOptions } from './platformatic-sink.js';
import { tlsOptions } from './tls.js';

/** Control batches (transaction markers) carry no messages but take offsets. */
const IS_CONTROL = 1 << 5;
/** Wait after a failed fetch round before planning the next (metadata is refreshed meanwhile). */
const FETCH_BACKOFF_MS = 250;
/** kafkajs's protocol name (the assignment format is Kafka's standard one either way), so engines
 * on the kafkajs consumer and on this one can share a group during a rolling upgrade. */
const PROTOCOLS = [{ name: 'RoundRobinAssigner', version: 0 }];

interface Position {
  /** Next offset to fetch. */
  offset: bigint;
  /** Bumped by a rewind: a fetch planned before it is dropped on return. */
  version: number;
  /** A batch of the partition is in the loop's hands (`onBatch` running): no fetch until it returns. */
  busy: boolean;
}

/**
 * A consumer-group member on @platformatic/kafka, the maintained client the engine already produces
 * with. Built on the client's own primitives (group membership, fetch, commit) rather than its
 * message stream, so a batch stays one partition's fetched records, handed over in order, and
 * committed only when the loop calls `commit()` — after every output was acknowledged. Like the
 * kafkajs source: a partition is fetched again once its last `onBatch` returned (the loop has
 * queued the batch's outputs: pipelining), up to `partitionsConsumedConcurrently` batches run at
 * once, `redeliver()` rewinds the partition to the failed batch. A rebalance (new generation)
 * makes every batch of the old one stale, its late commits skipped; kept and new partitions are
 * read again from their committed offsets, so nothing uncommitted is skipped.
 */
export class PlatformaticKafkaSource implements EventSource {
  private consumer: Consumer | null = null;
  private readonly positions = new Map<string, Position>();
  /** The assignment as `topic\0partition` with the generation it was given in. */
  private assigned = new Set<string>();
  private generation = -1;
  /** Positions are being (re)loaded for the current generation. */
  private seeding: Promise<void> | null = null;
  private paused = false;
  private stopping: Promise<void> | null = null;
  private loop: Promise<void> | null = null;
  private running = 0;
  private idle: (() => void) | null = null;
  private wake: (() => void) | null = null;
  /** Joins seen (a rejoin under the same generation number included): batches of an older one are stale. */
  private joins = 0;
  /** A fresh client is rejoining the group after the coordinator was lost. */
  private failingOver: Promise<void> | null = null;

  constructor(
    private readonly config: KafkaConfig,
    private readonly options: KafkaSourceOptions,
  ) {}

  ready(): boolean {
    return this.generation >= 0 && this.failingOver === null && this.stopping === null && this.consumer?.isActive() === true;
  }

  async start(onBatch: (batch: SourceBatch) => Promise<void>): Promise<void> {
    this.consumer = this.createConsumer();
    await this.consumer.joinGroup({ protocols: PROTOCOLS });
    await this.seedMissing();
    this.loop = this.run(onBatch);
  }

  private createConsumer(): Consumer {
    const { logger } = this.options;
    const tls = tlsOptions(this.config.ssl);
    const sasl = saslOptions(this.config);
    const consumer = new Consumer({
      clientId: this.config.clientId,
      bootstrapBrokers: this.config.brokers,
      groupId: this.options.groupId,
      connectTimeout: this.config.connectionTimeoutMs,
      timeout: this.config.requestTimeoutMs,
      retries: 8,
      retryDelay: 250,
      autocommit: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: this.options.heartbeatIntervalMs ?? 3000,
      rebalanceTimeout: Math.max(60_000, this.options.sessionTimeoutMs ?? 30_000),
      maxBytes: this.options.maxBytes ?? 16 * 1024 * 1024,
      maxWaitTime: this.options.maxWaitTimeInMs ?? 100,
      ...(tls ? { tls } : {}),
      ...(sasl ? { sasl } : {}),
    });
    // Events of a client replaced meanwhile (coordinator failover) are ignored.
    const current = () => this.consumer === consumer;
    consumer.on('consumer:group:join', (payload) => {
      if (current()) this.joined(payload.generationId ?? consumer.generationId, payload.assignments ?? [], payload.memberId);
    });
    consumer.on('consumer:group:rebalance', () => logger.info({ groupId: this.options.groupId }, 'consumer group rebalancing'));
    consumer.on('consumer:heartbeat:error', (payload) => {
      if (!current()) return;
      logger.warn({ err: errorFacts(payload.error) }, 'consumer heartbeat failed');
      if (coordinatorLost(payload.error)) void this.failOver(consumer);
    });
    consumer.on('error', (err: Error) => {
      if (current()) logger.error({ err: errorFacts(err) }, 'consumer error');
    });
    consumer.topics.trackAll(...this.options.topics);
    return consumer;
  }

  /**
   * The group coordinator moved (its broker died, or leadership of its `__consumer_offsets`
   * partition went elsewhere). @platformatic/kafka 1.x looks the coordinator up once per client
   * and never again (2.x, which needs Node 22, forgets it on such errors), so every heartbeat and
   * commit would keep going to the lost one and the group would stall. The source swaps in a
   * fresh client that finds the coordinator again and rejoins under the same member id, so the
   * group needs no session timeout to move on. Batches of the old client become stale (their
   * commits are skipped) and every partition is read again from its committed offset: at least
   * once, nothing skipped.
   */
  private failOver(lost: Consumer): Promise<void> {
    if (this.consumer !== lost || this.stopping !== null) return this.failingOver ?? Promise.resolve();
    this.failingOver ??= (async () => {
      const { logger } = this.options;
      const memberId = lost.memberId;
      logger.warn({ groupId: this.options.groupId }, 'group coordinator lost; rejoining the group through a fresh client');
      this.generation = -1;
      this.joins++;
      this.assigned = new Set();
      for (const position of this.positions.values()) position.version++;
      this.positions.clear();
      // Stops the lost client's heartbeats; its LeaveGroup goes to the lost coordinator and fails,
      // which keeps the member for the fresh client (if it went through, the rejoin starts afresh).
      await new Promise<void>((resolve) => lost.leaveGroup(true, () => resolve()));
      lost.memberId = null;
      await new Promise<void>((resolve) => lost.close(true, () => resolve()));
      for (let attempt = 0; this.stopping === null; attempt++) {
        const fresh = this.createConsumer();
        fresh.memberId = memberId;
        this.consumer = fresh;
        try {
          await fresh.joinGroup({ protocols: PROTOCOLS });
          logger.info({ groupId: this.options.groupId, attempts: attempt + 1 }, 'rejoined the consumer group after a coordinator change');
          return;
        } catch (err) {
          logger.warn({ err: errorFacts(err as Error) }, 'rejoining the consumer group failed; retrying');
          fresh.memberId = null;
          await new Promise<void>((resolve) => fresh.close(true, () => resolve()));
          await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** attempt)));
        }
      }
    })().finally(() => {
      this.failingOver = null;
      this.wake?.();
    });
    return this.failingOver;
  }

  /** Stops delivering batches and waits for the handlers running now; the group stays joined. */
  async pause(): Promise<void> {
    this.paused = true;
    this.wake?.();
    if (this.running > 0) await new Promise<void>((resolve) => (this.idle = resolve));
  }

  /** Leaves the group after the batches in flight have finished, then disconnects. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.paused = true;
      this.wake?.();
      await this.loop?.catch(() => {});
      await this.failingOver?.catch(() => {});
      await this.consumer?.close().catch((err: Error) => this.options.logger.warn({ err: errorFacts(err) }, 'leaving the consumer group failed'));
    })();
    return this.stopping;
  }

  private joined(generation: number, assignments: GroupAssignment[], memberId: string): void {
    this.generation = generation;
    this.joins++;
    this.assigned = new Set(assignments.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}\u0000${p}`)));
    this.options.logger.info(
      { groupId: this.options.groupId, memberId, generation, assignment: Object.fromEntries(assignments.map((a) => [a.topic, a.partitions])) },
      'joined consumer group',
    );
    // Every position of the old generation is dropped: batches not yet committed are read again
    // (the loop seeds the new assignment from the committed offsets).
    for (const position of this.positions.values()) position.version++;
    this.positions.clear();
    this.wake?.();
  }

  /** Seeds the assigned partitions that have no read position yet (after a join or a reset). */
  private seedMissing(): Promise<void> | null {
    if (this.seeding !== null) return this.seeding;
    const missing = new Set([...this.assigned].filter((key) => !this.positions.has(key)));
    if (missing.size === 0) return null;
    const client = this.consumer!;
    const seeding = this.seed(this.joins, assignmentsOf(missing))
      .catch((err: Error) => {
        this.options.logger.warn({ err: errorFacts(err) }, 'reading committed offsets failed; retrying');
        if (coordinatorLost(err)) return this.failOver(client);
        return new Promise<void>((resolve) => setTimeout(resolve, FETCH_BACKOFF_MS));
      })
      .finally(() => (this.seeding = null));
    this.seeding = seeding;
    return seeding;
  }

  /** The committed offset of every assigned partition, else the earliest or latest one. */
  private async seed(joins: number, assignments: GroupAssignment[]): Promise<void> {
    const consumer = this.consumer!;
    const topics = assignments.filter((a) => a.partitions.length > 0);
    if (topics.length === 0) return;
    const [committed, fallback] = await Promise.all([
      consumer.listCommittedOffsets({ topics }),
      consumer.listOffsets({
        topics: topics.map((a) => a.topic),
        timestamp: this.options.fromBeginning ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST,
      }),
    ]);
    if (joins !== this.joins) return;
    for (const { topic, partitions } of topics) {
      for (const partition of partitions) {
        const at = committed.get(topic)?.[partition] ?? -1n;
        const offset = at >= 0n ? at : (fallback.get(topic)?.[partition] ?? 0n);
        this.positions.set(`${topic}\u0000${partition}`, { offset, version: 0, busy: false });
      }
    }
  }

  private async run(onBatch: (batch: SourceBatch) => Promise<void>): Promise<void> {
    const concurrency = Math.max(1, this.options.partitionsConsumedConcurrently ?? 1);
    const inFlight = new Set<Promise<void>>();
    while (!this.paused) {
      if (this.failingOver !== null) await this.failingOver;
      await this.seedMissing();
      if (this.paused) break;
      const plan = await this.plan().catch((err: Error) => {
        this.options.logger.warn({ err: errorFacts(err) }, 'Kafka metadata unavailable; retrying');
        return null;
      });
      if (plan === null || plan.requests.size === 0) {
        await this.sleep(plan === null ? FETCH_BACKOFF_MS : 50);
        continue;
      }
      const joins = this.joins;
      const consumer = this.consumer!;
      let failed = false;
      const fetches = [...plan.requests].map(async ([node, wanted]) => {
        let response;
        try {
          response = await consumer.fetch({
            node,
            maxWaitTime: this.options.maxWaitTimeInMs ?? 100,
            maxBytes: this.options.maxBytes ?? 16 * 1024 * 1024,
            topics: [...groupByTopic(wanted, plan.metadata, this.options.maxBytesPerPartition ?? 2 * 1024 * 1024)],
          });
        } catch (err) {
          this.fetchFailed(err as Error, wanted);
          failed = true;
          return;
        }
        // Paused (stopping) or rebalanced while the fetch was out: deliver nothing of it.
        if (joins !== this.joins || this.paused) return;
        for (const topicResponse of response.responses) {
          const topic = plan.topicNames.get(topicResponse.topicId);
          if (topic === undefined) continue;
          for (const partitionResponse of topicResponse.partitions) {
            const key = `${topic}\u0000${partitionResponse.partitionIndex}`;
            const request = wanted.get(key);
            const position = this.positions.get(key);
            if (request === undefined || position === undefined || position.version !== request.version) continue;
            const batch = this.toBatch(
              topic,
              partitionResponse.partitionIndex,
              request.offset,
              partitionResponse.records ?? [],
              partitionResponse.highWatermark,
              joins,
              position,
            );
            if (batch === null) continue;
            while (inFlight.size >= concurrency) await Promise.race(inFlight);
            if (this.paused || joins !== this.joins || position.version !== request.version) continue;
            position.busy = true;
            this.running++;
            const handled = onBatch(batch)
              .catch((err: Error) => {
                // The loop handles its own failures; this is one it did not: read the batch again.
                this.options.logger.error(
                  { topic, partition: batch.partition, err: errorFacts(err) },
                  'batch handler failed; the partition is read again from this batch',
                );
                batch.redeliver!();
              })
              .finally(() => {
                position.busy = false;
                inFlight.delete(handled);
                if (--this.running === 0) this.idle?.();
                this.wake?.();
              });
            inFlight.add(handled);
          }
        }
      });
      await Promise.all(fetches);
      if (failed) await this.sleep(FETCH_BACKOFF_MS);
      // Back to planning as soon as a partition is free again.
      if (inFlight.size > 0 && !this.anyFree()) await Promise.race([...inFlight, new Promise<void>((resolve) => (this.wake = resolve))]);
      this.wake = null;
    }
    await Promise.all(inFlight);
  }

  /** Per leader node, the free assigned partitions and the offset each is read from. */
  private async plan(): Promise<{
    metadata: ClusterMetadata;
    requests: Map<number, Map<string, { offset: bigint; version: number }>>;
    topicNames: Map<string, string>;
  }> {
    const metadata = await this.consumer!.metadata({ topics: this.options.topics });
    const requests = new Map<number, Map<string, { offset: bigint; version: number }>>();
    const topicNames = new Map<string, string>();
    for (const [key, position] of this.positions) {
      if (position.busy || !this.assigned.has(key)) continue;
      const [topic, partition] = splitKey(key);
      const topicMeta = metadata.topics.get(topic);
      const leader = topicMeta?.partitions[partition]?.leader;
      if (topicMeta === undefined || leader === undefined || leader < 0) continue;
      topicNames.set(topicMeta.id, topic);
      let wanted = requests.get(leader);
      if (wanted === undefined) requests.set(leader, (wanted = new Map()));
      wanted.set(key, { offset: position.offset, version: position.version });
    }
    return { metadata, requests, topicNames };
  }

  private fetchFailed(err: Error & { findBy?: (key: string, value: unknown) => unknown }, wanted: Map<string, { offset: bigint; version: number }>): void {
    if (this.stopping !== null) return;
    // A moved leader or a lost broker: the next plan reads fresh metadata.
    this.consumer?.clearMetadata();
    if (err.findBy?.('apiId', 'OFFSET_OUT_OF_RANGE')) {
      // Retention removed what the group had not read (or the topic was recreated): start over
      // from the configured end, as kafkajs does, and say so.
      this.options.logger.warn(
        { partitions: [...wanted.keys()].map((k) => k.replace('\u0000', ':')) },
        'fetch offset out of range; reading from the reset position',
      );
      for (const key of wanted.keys()) this.positions.delete(key);
      return;
    }
    this.options.logger.warn({ err: errorFacts(err) }, 'Kafka fetch failed; retrying');
  }

  private toBatch(
    topic: string,
    partition: number,
    from: bigint,
    records: RecordsBatch[],
    highWatermark: bigint,
    joins: number,
    position: Position,
  ): SourceBatch | null {
    if (records.length === 0) return null;
    const messages: InputMessage[] = [];
    for (const batch of records) {
      if (batch.attributes & IS_CONTROL) continue;
      for (const record of batch.records) {
        const offset = batch.firstOffset + BigInt(record.offsetDelta);
        // A fetch starts at the record batch holding `from`: skip what comes before it.
        if (offset < from) continue;
        messages.push({
          topic,
          partition,
          offset: String(offset),
          key: record.key,
          value: record.value,
          headers: record.headers.length === 0 ? NO_HEADERS : headersOf(record.headers),
          timestamp: String(batch.firstTimestamp + record.timestampDelta),
        });
      }
    }
    const lastBatch = records[records.length - 1]!;
    const next = lastBatch.firstOffset + BigInt(lastBatch.lastOffsetDelta) + 1n;
    // Read on from after the batch; `redeliver()` rewinds (and drops whatever was fetched since).
    position.offset = next > position.offset ? next : position.offset;
    if (messages.length === 0) return null;
    const first = BigInt(messages[0]!.offset);
    const version = position.version;
    const key = `${topic}\u0000${partition}`;
    const isStale = () => joins !== this.joins || !this.assigned.has(key);
    const source = this;
    return {
      messages,
      topic,
      partition,
      isStale,
      heartbeat: async () => {},
      async commit() {
        for (let attempt = 0; ; attempt++) {
          // Revoked or rebalanced meanwhile: the partition's owner reads from the last commit.
          if (isStale()) return;
          const client = source.consumer!;
          try {
            await client.commit({ offsets: [{ topic, partition, offset: next, leaderEpoch: -1 }] });
            return;
          } catch (err) {
            // The rejoin makes this batch stale: it is read again from the last commit.
            if (coordinatorLost(err)) await source.failOver(client);
            if (isStale() || attempt >= 5) throw err;
            await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
          }
        }
      },
      redeliver() {
        const current = source.positions.get(key);
        if (current === undefined || isStale() || current.version !== version) return;
        current.version++;
        current.offset = first;
      },
      lagAfter: () => Math.max(0, Number(highWatermark - next)),
    };
  }

  private anyFree(): boolean {
    for (const [key, position] of this.positions) if (!position.busy && this.assigned.has(key)) return true;
    return this.positions.size === 0;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** Shared by every message without headers (most of them): read-only, like every InputMessage's headers. */
const NO_HEADERS: Readonly<Record<string, HeaderValue | undefined>> = Object.freeze({});

/** Header names as strings, values as bytes; a repeated name becomes an array, in order (as kafkajs). */
function headersOf(headers: [Buffer | null, Buffer | null][]): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  for (const [name, value] of headers) {
    if (name === null) continue;
    const key = name.toString();
    const bytes = value ?? Buffer.alloc(0);
    const seen = out[key];
    if (seen === undefined) out[key] = bytes;
    else if (Array.isArray(seen)) seen.push(bytes);
    else out[key] = [seen, bytes];
  }
  return out;
}

function splitKey(key: string): [string, number] {
  const at = key.lastIndexOf('\u0000');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}

function assignmentsOf(keys: Set<string>): GroupAssignment[] {
  const byTopic = new Map<string, number[]>();
  for (const key of keys) {
    const [topic, partition] = splitKey(key);
    let partitions = byTopic.get(topic);
    if (partitions === undefined) byTopic.set(topic, (partitions = []));
    partitions.push(partition);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

function* groupByTopic(wanted: Map<string, { offset: bigint }>, metadata: ClusterMetadata, partitionMaxBytes: number) {
  const byTopic = new Map<string, { partition: number; fetchOffset: bigint }[]>();
  for (const [key, { offset }] of wanted) {
    const [topic, partition] = splitKey(key);
    let partitions = byTopic.get(topic);
    if (partitions === undefined) byTopic.set(topic, (partitions = []));
    partitions.push({ partition, fetchOffset: offset });
  }
  for (const [topic, partitions] of byTopic) {
    yield {
      topicId: metadata.topics.get(topic)!.id,
      partitions: partitions.map(({ partition, fetchOffset }) => ({ partition, fetchOffset, partitionMaxBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1 })),
    };
  }
}

/**
 * A group request failed because the coordinator is gone or elsewhere: the broker does not answer
 * (network, timeout), says it is not (or not yet) the coordinator, or has left the cluster's
 * metadata (the client then fails on the missing broker with a TypeError of its own).
 */
function coordinatorLost(err: unknown): boolean {
  if (err instanceof TypeError) return true;
  const e = err as { findBy?: (key: string, value: unknown) => unknown } | null;
  if (typeof e?.findBy !== 'function') return false;
  return (
    e.findBy('code', 'PLT_KFK_NETWORK') != null ||
    e.findBy('code', 'PLT_KFK_TIMEOUT') != null ||
    e.findBy('apiId', 'NOT_COORDINATOR') != null ||
    e.findBy('apiId', 'COORDINATOR_NOT_AVAILABLE') != null
  );
}

/** Name, code and message of a client error: they name brokers and API errors, never records. */
function errorFacts(err: Error & { code?: string }): { name: string; code?: string; message: string } {
  return { name: err.name, ...(err.code ? { code: err.code } : {}), message: err.message };
}
