import type { Logger } from '../core/logger.js';
import type { SubjectRequests } from '../storage/requests.js';
import { safeErrorLabel } from '../storage/sql.js';

/** Hands a corrective identify to the pipeline (Kafka: produce to an input topic, acks=all). */
export type ForwardEvent = (event: Record<string, unknown>) => Promise<void>;

/**
 * Forwards finished corrections (CORRECT requests) as Segment identify calls into the pipeline's
 * own input, so destinations receive the corrected traits through the same controls, suppression
 * and storage as any event. At least once: a request is marked forwarded (and its sealed change
 * destroyed) only after the send resolved; a crash in between re-sends it with the same messageId.
 */
export function startCorrectionRelay(
  requests: SubjectRequests,
  forward: ForwardEvent,
  options: { intervalMs: number; logger: Logger },
): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      for (const pending of await requests.pendingForwards()) {
        if (stopped) return;
        await forward(pending.event);
        await requests.markForwarded(pending.requestId);
        options.logger.info({ requestId: pending.requestId }, 'correction forwarded to the pipeline');
      }
    })()
      .catch((err: unknown) => options.logger.warn({ err: safeErrorLabel(err) }, 'correction relay failed; retried next round'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** The key a corrective identify is produced with: the person's id, so it stays in order with their events. */
export function forwardKey(event: Record<string, unknown>): string | null {
  const id = event.userId ?? event.anonymousId;
  return typeof id === 'string' ? id : null;
}
