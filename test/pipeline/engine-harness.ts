// What the Kafka end-to-end and fault tests share: the topics of the three-destination policy,
// the `kafka:` head of an engine config, the engine binary as a child process that a test may
// SIGKILL, and the per-destination figures (delivered, duplicates, lost) every fault reports.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { kafkaBrokers } from '../helpers/kafka.js';
import { sampleEvent } from './helpers.js';
import { type TopicReader, uniqueName } from './kafka-helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/segmentloom.js');

/** The input, the three destinations of `policyYaml` and the dead-letter topic, fresh names. */
export interface PolicyTopics {
  input: string;
  warehouse: string;
  analytics: string;
  ads: string;
  dlq: string;
}

export function policyTopics(prefix: string): PolicyTopics {
  return {
    input: uniqueName(`${prefix}-in`),
    warehouse: uniqueName(`${prefix}-wh`),
    analytics: uniqueName(`${prefix}-an`),
    ads: uniqueName(`${prefix}-ads`),
    dlq: uniqueName(`${prefix}-dlq`),
  };
}

export interface KafkaHead {
  groupId: string;
  input: string;
  dlq: string;
  /** Default: the test broker. */
  brokers?: string;
  /** More `kafka:` settings, one `name: value` a line, without indentation. */
  kafka?: string[];
}

/**
 * `source: web`, the `kafka:` section every test engine uses (from the beginning, a group that
 * notices a dead member in 10 s) and its dead-letter topic. The test appends the rest.
 */
export function kafkaEngineHead(head: KafkaHead): string {
  const extra = (head.kafka ?? []).map((line) => `  ${line}\n`).join('');
  return `source: web
kafka:
  brokers: "${head.brokers ?? kafkaBrokers()}"
  groupId: ${head.groupId}
  topics: [${head.input}]
  fromBeginning: true
  sessionTimeoutMs: 10000
  heartbeatIntervalMs: 1000
${extra}deadLetter: { topic: ${head.dlq} }
`;
}

export interface EngineProcess {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** stdout and stderr so far, interleaved as they arrived. */
  log(): string;
  stdout(): string;
  stderr(): string;
}

/** The engine binary run as its own process; `killAll` (in afterAll) reaps what a test left. */
export class EngineProcesses {
  private readonly children: ChildProcess[] = [];

  start(args: string[], env: NodeJS.ProcessEnv = {}): EngineProcess {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    this.children.push(child);
    let log = '';
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => {
      log += String(d);
      stdout += String(d);
    });
    child.stderr!.on('data', (d) => {
      log += String(d);
      stderr += String(d);
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return { child, exited, log: () => log, stdout: () => stdout, stderr: () => stderr };
  }

  /** `segmentloom run --config FILE`. */
  run(config: string, env: NodeJS.ProcessEnv = {}): EngineProcess {
    return this.start(['run', '--config', config], env);
  }

  killAll(): void {
    for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** `n` sample events of one phase, ids `${phase}-${i}`, spread over `keys` users (the message key). */
export function phaseEvents(phase: string, n: number, keys = 10): { key: string; value: string }[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `user-${i % keys}`,
    value: JSON.stringify(sampleEvent({ messageId: `${phase}-${i}`, userId: `user-${i % keys}`, seq: i })),
  }));
}

/** The ids `phaseEvents` gives, phase after phase: `{ before: 200, after: 50 }`. */
export function phaseIds(phases: Record<string, number>): string[] {
  return Object.entries(phases).flatMap(([phase, n]) => Array.from({ length: n }, (_, i) => `${phase}-${i}`));
}

export interface Delivery {
  delivered: number;
  distinct: number;
  duplicates: number;
  lost: number;
}

/** Per destination, what the reader holds of the `expected` message ids. */
export function deliveryFigures(reader: TopicReader, destinations: Record<string, string>, expected: Iterable<string>): Record<string, Delivery> {
  const wanted = [...expected];
  const figures: Record<string, Delivery> = {};
  for (const [name, topic] of Object.entries(destinations)) {
    const all = reader.json(topic).map((e) => e.messageId as string);
    const distinct = new Set(all);
    figures[name] = {
      delivered: all.length,
      distinct: distinct.size,
      duplicates: all.length - distinct.size,
      lost: wanted.filter((id) => !distinct.has(id)).length,
    };
  }
  return figures;
}
