import { z } from 'zod';
import { safeIssueMessage } from '../core/zod-issues.js';

/**
 * The legal deadline each data-subject request must meet, per regulation: GDPR art. 12(3) one
 * month, CCPA (Cal. Civ. Code 1798.130) 45 days, Colorado CPA (6-1-1306) 45 days. Extensions the
 * laws allow are a decision for a person, so the deadline recorded is the first one.
 */
export const DEFAULT_REQUEST_DEADLINES = { GDPR: '1mo', CCPA: '45d', CPA: '45d' } as const;
export const DEFAULT_REGULATION = 'GDPR';

const PERIOD = /^(\d{1,4})(d|mo)$/;
const period = z.string().regex(PERIOD, 'expected a period such as 45d (days) or 1mo (calendar months)');

/** `{ default: 'GDPR', regulations: { GDPR: '1mo', CCPA: '45d', … } }` */
export const requestDeadlinesSchema = z
  .strictObject({
    default: z.string().min(1).default(DEFAULT_REGULATION),
    regulations: z
      .record(z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'regulation names are letters, digits, _ or -'), period)
      .default({ ...DEFAULT_REQUEST_DEADLINES }),
  })
  .refine((c) => c.regulations[c.default] !== undefined, { message: 'the default regulation must be one of regulations', path: ['default'] });

export type RequestDeadlinesConfig = z.input<typeof requestDeadlinesSchema>;

export class RequestDeadlines {
  readonly defaultRegulation: string;
  private readonly periods: ReadonlyMap<string, { n: number; unit: 'd' | 'mo' }>;

  constructor(config: RequestDeadlinesConfig = {}) {
    const parsed = requestDeadlinesSchema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`invalid request deadlines at "${issue.path.join('.') || '(root)'}": ${safeIssueMessage(issue)}`);
    }
    this.defaultRegulation = parsed.data.default;
    this.periods = new Map(
      Object.entries(parsed.data.regulations).map(([name, text]) => {
        const [, n, unit] = PERIOD.exec(text)!;
        return [name, { n: Number(n), unit: unit as 'd' | 'mo' }];
      }),
    );
  }

  get regulations(): string[] {
    return [...this.periods.keys()];
  }

  /** The deadline of a request under `regulation` received at `receivedAt`; throws for a regulation not configured. */
  deadline(regulation: string, receivedAt: Date): Date {
    const p = this.periods.get(regulation);
    if (!p) throw new Error(`unknown regulation: expected one of ${this.regulations.join(', ')}`);
    if (p.unit === 'd') return new Date(receivedAt.getTime() + p.n * 86_400_000);
    // Calendar months, clamped to the month's last day (31 January + 1 month = 28/29 February).
    const d = new Date(receivedAt.getTime());
    const day = d.getUTCDate();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() + p.n);
    const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    d.setUTCDate(Math.min(day, last));
    return d;
  }
}

/**
 * From SEGMENTLOOM_REQUEST_DEADLINES (JSON, e.g. `{"default":"CCPA","regulations":{"GDPR":"1mo","CCPA":"45d","LGPD":"15d"}}`),
 * else the defaults. The message names the variable and the field, never more.
 */
export function requestDeadlinesFromEnv(env: NodeJS.ProcessEnv = process.env): RequestDeadlines {
  const text = env.SEGMENTLOOM_REQUEST_DEADLINES;
  if (text === undefined || text.trim() === '') return new RequestDeadlines();
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    throw new Error('SEGMENTLOOM_REQUEST_DEADLINES: not JSON');
  }
  try {
    return new RequestDeadlines(config as RequestDeadlinesConfig);
  } catch (err) {
    throw new Error(`SEGMENTLOOM_REQUEST_DEADLINES: ${(err as Error).message}`);
  }
}
