import { z } from 'zod';
import type { Db } from './db.js';
import type { ErasureCounts, ErasureProgress } from './erase.js';

/**
 * What the runs of one data-subject request did so far (subject_requests.progress): kept per step
 * so a run resumed after its process died reports, in the one receipt it writes, the totals of
 * the whole request — the first run's deletions included.
 */
export interface RequestProgress {
  removed: ErasureCounts;
  suppressed: number;
}

const count = z.number().int().nonnegative();
const progressSchema = z.object({
  removed: z.object({ dataKeys: count, events: count, profiles: count, identities: count, inventoryExamples: count }),
  suppressed: count,
});

export function noProgress(): RequestProgress {
  return { removed: { dataKeys: 0, events: 0, profiles: 0, identities: 0, inventoryExamples: 0 }, suppressed: 0 };
}

/** The progress column as read (jsonb: an object, or text from some drivers); nothing recorded or unreadable: zeros. */
export function progressOf(value: unknown): RequestProgress {
  const parsed = progressSchema.safeParse(typeof value === 'string' ? safeJson(value) : value);
  return parsed.success ? parsed.data : noProgress();
}

export function saveProgress(tx: Db, requestId: string, progress: RequestProgress): Promise<unknown> {
  return tx.query('UPDATE subject_requests SET progress = $2 WHERE id = $1', [requestId, JSON.stringify(progress)]);
}

/** An erasure's progress, kept in `progress` (updated in place) and saved with each step. */
export function erasureProgress(requestId: string, progress: RequestProgress): ErasureProgress {
  return {
    done: progress.removed,
    save: async (tx, totals) => {
      await saveProgress(tx, requestId, { ...progress, removed: totals });
      progress.removed = totals;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
