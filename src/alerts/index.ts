export type { Alert, AlertChannel } from './types.js';
export {
  alertsConfigSchema,
  parseAlertsConfig,
  AlertsConfigError,
  DEFAULT_PAGERDUTY_URL,
  type AlertsConfig,
  type AlertsConfigInput,
  type ChannelConfig,
  type SlackChannelConfig,
  type WebhookChannelConfig,
  type PagerDutyChannelConfig,
} from './config.js';
export { toAlert, inboxUrl, alertId, pointKey, messageId } from './alert.js';
export { AlertDispatcher, type AlertDispatcherOptions, type OutboxSweepResult } from './dispatcher.js';
export { MemoryOutbox, type AlertOutbox, type OutboxEntry } from './outbox.js';
export { SqlOutbox, ALERT_OUTBOX_MIGRATION } from './outbox-sql.js';
export { DeliveryError } from './errors.js';
export { signWebhook, verifyWebhookSignature, type VerifyResult } from './signature.js';
export { webhookSchemaV1, WEBHOOK_SCHEMA_ID, type WebhookPayloadV1, type WebhookAlertV1 } from './webhook-schema.js';
export { createChannel } from './channels/index.js';
export { buildSlackMessage } from './channels/slack.js';
export { buildWebhookPayload } from './channels/webhook.js';
export { buildPagerDutyEvent } from './channels/pagerduty.js';
export { sendTestAlert, syntheticSignal } from './test-alert.js';
export type { AlertStatus, MetricCallback } from './metrics.js';
