import type { Classification } from '../../detect/index.js';
import type { PagerDutyChannelConfig } from '../config.js';
import { pointKey } from '../alert.js';
import { DeliveryError } from '../errors.js';
import { postJson, receiverTls } from '../http.js';
import type { Alert, AlertChannel } from '../types.js';
import { categoryLabel, clip, summaryLine } from './format.js';

const SEVERITY: Record<Classification, 'critical' | 'warning' | 'info'> = {
  red: 'critical',
  yellow: 'warning',
  green: 'info',
};

/** Events API v2 trigger for one data point. dedup_key is per point, so a drift joins the point's open incident. */
export function buildPagerDutyEvent(a: Alert, routingKey: string) {
  return {
    routing_key: routingKey,
    event_action: 'trigger' as const,
    dedup_key: pointKey(a),
    payload: {
      summary: clip(`${a.test ? '[TEST] ' : ''}Segmentloom: ${summaryLine(a)}`, 1024),
      source: 'segmentloom',
      severity: SEVERITY[a.classification],
      timestamp: a.detectedAt,
      component: a.source,
      group: a.event,
      class: a.category.id ?? 'unclassified',
      custom_details: {
        alert_id: a.id,
        kind: a.kind,
        path: a.path,
        event: a.event,
        source: a.source,
        classification: a.classification,
        category: categoryLabel(a.category),
        data_category: a.category.dataCategory,
        matcher: a.matcher,
        matched_on: a.matchedOn,
        confidence: a.confidence,
        masked_example: a.example,
        ...(a.previous ? { previous_category: a.previous.category, previous_classification: a.previous.classification } : {}),
      },
    },
    links: [{ href: a.inboxUrl, text: 'Review in Segmentloom inbox' }],
  };
}

/** PagerDuty is paged per point, never per digest: one event per alert, sent in order. */
export function createPagerDutyChannel(cfg: PagerDutyChannelConfig): AlertChannel {
  const tls = receiverTls(cfg);
  return {
    name: cfg.name,
    type: 'pagerduty',
    perAlertRequests: true,
    async send(alerts) {
      for (let i = 0; i < alerts.length; i++) {
        const a = alerts[i]!;
        try {
          await postJson(cfg.url, JSON.stringify(buildPagerDutyEvent(a, cfg.routingKey)), {}, cfg.timeoutMs, `pagerduty channel "${cfg.name}"`, tls);
        } catch (err) {
          // Report what is still owed so the dispatcher does not re-page the points already accepted.
          const e = err instanceof DeliveryError ? err : new DeliveryError(`pagerduty channel "${cfg.name}": send failed`, { retryable: true });
          throw new DeliveryError(e.message, { ...e.opts, undelivered: alerts.slice(i) });
        }
      }
    },
  };
}
