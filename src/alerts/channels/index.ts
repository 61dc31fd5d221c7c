import type { ChannelConfig } from '../config.js';
import type { AlertChannel } from '../types.js';
import { createPagerDutyChannel } from './pagerduty.js';
import { createSlackChannel } from './slack.js';
import { createWebhookChannel } from './webhook.js';

/** The one place that maps a config `type` to an implementation; a new channel type adds a case here. */
export function createChannel(cfg: ChannelConfig, baseUrl: string): AlertChannel {
  switch (cfg.type) {
    case 'slack':
      return createSlackChannel(cfg, baseUrl);
    case 'webhook':
      return createWebhookChannel(cfg);
    case 'pagerduty':
      return createPagerDutyChannel(cfg);
  }
}
