// Alert wiring for stateful engines: a webhook channel pointing at a local receiver, and a
// count of the alerts it received per data point.
import type { Receiver } from '../alerts/helpers.js';

export const WEBHOOK_SECRET = 'integration-webhook-secret-0123';

/** `alerts:` YAML with one webhook channel that alerts on every point (green too) right away. */
export function alertsYaml(url: string, options: { timeoutMs?: number; attempts?: number } = {}): string {
  return `
alerts:
  baseUrl: https://segmentloom.example.com
  outbox: { retryIntervalMs: 0 }
  channels:
    - name: hook
      type: webhook
      url: "${url}"
      secret: "${WEBHOOK_SECRET}"
      routes: { classifications: [red, yellow, green], kinds: [new, drift] }
      digest: { windowMs: 20, maxItems: 500 }
      rateLimit: { perMinute: 10000 }
      retry: { attempts: ${options.attempts ?? 3}, baseMs: 10, maxMs: 50 }
      timeoutMs: ${options.timeoutMs ?? 5000}
`;
}

export interface ReceivedAlert {
  kind: string;
  source: string;
  event: string;
  path: string;
  classification: string;
  example: string | null;
}

export function receivedAlerts(receiver: Receiver): ReceivedAlert[] {
  return receiver.requests.flatMap((r) => (JSON.parse(r.body) as { alerts: ReceivedAlert[] }).alerts);
}

/** Alerts received per `kind source event path`. */
export function alertCounts(receiver: Receiver): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of receivedAlerts(receiver)) {
    const key = `${a.kind} ${a.source} ${a.event} ${a.path}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
