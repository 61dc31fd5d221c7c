import type { Classification } from '../../detect/index.js';
import type { PagerDutyChannelConfig } from '../config.js';
import { createHash } from 'node:crypto';
import { DeliveryError } from '../errors.js';
import { postJson, receiverTls } from '../http.js';
import type { Alert, AlertChannel } from '../types.js';
import { categoryLabel, clip, summaryLine } from './format.js';

const SEVERITY: Record<Classification, 'critical' | 'warning' | 'info'> = {
  red: 'critical',
  yellow: 'warning',
  green: 'info',
};

/** How many points one incident's custom_details lists; the rest are counted. */
export const MAX_LISTED_POINTS = 50;

/**
 * One incident per source and window: `segmentloom:` + sha256(source|window start). A burst of new
 * points from one source pages once; later points of the same source in the same window join that
 * incident (PagerDuty folds triggers with one dedup_key into one incident) instead of paging again.
 */
export function incidentKey(source: string, detectedAt: string, windowMs: number): string {
  const t = Date.parse(detectedAt);
  const start = Number.isNaN(t) ? 0 : Math.floor(t / windowMs) * windowMs;
  return `segmentloom:${createHash('sha256')
    .update(`${source}|${new Date(start).toISOString()}`)
    .digest('hex')}`;
}

function pointDetails(a: Alert) {
  return {
    alert_id: a.id,
    kind: a.kind,
    event: a.event,
    path: a.path,
    classification: a.classification,
    category: categoryLabel(a.category),
    data_category: a.category.dataCategory,
    matcher: a.matcher,
    matched_on: a.matchedOn,
    confidence: a.confidence,
    masked_example: a.example,
    review_url: a.inboxUrl,
    ...(a.previous ? { previous_category: a.previous.category, previous_classification: a.previous.classification } : {}),
  };
}

/** Events API v2 trigger for the alerts of one source (one incident), the riskiest first in the list. */
export function buildPagerDutyEvent(alerts: readonly Alert[], routingKey: string, windowMs: number) {
  const first = alerts[0]!;
  const ordered = [...alerts].sort((a, b) => RANK[a.classification] - RANK[b.classification]);
  const top = ordered[0]!;
  const test = alerts.some((a) => a.test);
  const summary =
    alerts.length === 1 ? summaryLine(top) : `${alerts.length} data points from ${first.source}, the riskiest ${top.classification}: ${summaryLine(top)}`;
  const listed = ordered.slice(0, MAX_LISTED_POINTS).map(pointDetails);
  return {
    routing_key: routingKey,
    event_action: 'trigger' as const,
    dedup_key: incidentKey(first.source, first.detectedAt, windowMs),
    payload: {
      summary: clip(`${test ? '[TEST] ' : ''}Segmentloom: ${summary}`, 1024),
      source: 'segmentloom',
      severity: SEVERITY[top.classification],
      timestamp: first.detectedAt,
      component: first.source,
      group: top.event,
      class: top.category.id ?? 'unclassified',
      custom_details: {
        source: first.source,
        points_total: alerts.length,
        ...(alerts.length > listed.length ? { points_not_listed: alerts.length - listed.length } : {}),
        points: listed,
      },
    },
    links: [{ href: alerts.length === 1 ? top.inboxUrl : inboxOfSource(top.inboxUrl, first.source), text: 'Review in Segmentloom inbox' }],
  };
}

const RANK: Record<Classification, number> = { red: 0, yellow: 1, green: 2 };

/** The inbox filtered to one source (the point's link without its event and path). */
function inboxOfSource(pointUrl: string, source: string): string {
  const url = new URL(pointUrl);
  url.search = new URLSearchParams({ source }).toString();
  return url.toString();
}

/** Alerts grouped by source, in order of first appearance. */
function bySource(alerts: readonly Alert[]): Alert[][] {
  const groups = new Map<string, Alert[]>();
  for (const a of alerts) {
    const group = groups.get(a.source);
    if (group) group.push(a);
    else groups.set(a.source, [a]);
  }
  return [...groups.values()];
}

/** PagerDuty is paged once per source per send (a digest of a burst), never once per point. */
export function createPagerDutyChannel(cfg: PagerDutyChannelConfig): AlertChannel {
  const tls = receiverTls(cfg);
  return {
    name: cfg.name,
    type: 'pagerduty',
    async send(alerts) {
      const groups = bySource(alerts);
      const answers = [];
      for (let i = 0; i < groups.length; i++) {
        try {
          const body = JSON.stringify(buildPagerDutyEvent(groups[i]!, cfg.routingKey, cfg.incidentWindowMs));
          answers.push(await postJson(cfg.url, body, {}, cfg.timeoutMs, `pagerduty channel "${cfg.name}"`, tls));
        } catch (err) {
          // Report what is still owed so the dispatcher does not re-page the sources already accepted.
          const e = err instanceof DeliveryError ? err : new DeliveryError(`pagerduty channel "${cfg.name}": send failed`, { retryable: true });
          throw new DeliveryError(e.message, { ...e.opts, undelivered: groups.slice(i).flat() });
        }
      }
      return answers;
    },
  };
}
