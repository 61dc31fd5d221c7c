import type { SlackChannelConfig } from '../config.js';
import { postJson, receiverTls } from '../http.js';
import type { Alert, AlertChannel } from '../types.js';
import { EMOJI, categoryLabel, clip, highestClassification } from './format.js';

type Block = Record<string, unknown>;

/** Slack mrkdwn treats &, < and > as control characters; everything we interpolate goes through this. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code cannot contain a backtick; a look-alike keeps the path readable. */
function code(s: string): string {
  return `\`${esc(s).replace(/`/g, 'ˋ')}\``;
}

function pointSection(a: Alert): Block {
  const lines = [
    `${EMOJI[a.classification]} ${code(clip(a.path, 200))}${a.kind === 'drift' ? '  _drift_' : a.kind === 'leak' ? `  _leak to ${a.leak?.destination ?? '?'}_` : a.kind === 'dead_letter' ? `  _${a.deadLetter?.count ?? 1} dead-lettered_` : ''}`,
    `*Event:* ${esc(clip(a.event, 150))}   *Source:* ${esc(clip(a.source, 100))}`,
    `*Category:* ${esc(categoryLabel(a.category))} · ${a.classification}`,
    `*Matcher:* ${esc(clip(a.matcher ?? 'n/a', 150))}${a.matchedOn ? ` (${a.matchedOn}, ${a.confidence.toFixed(2)})` : ''}`,
  ];
  if (a.example !== null) lines.push(`*Example:* ${code(clip(a.example, 100))}`);
  if (a.previous) {
    lines.push(`*Was:* ${EMOJI[a.previous.classification]} ${esc(a.previous.category ?? 'none')} · ${a.previous.classification}`);
  }
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: lines.join('\n') },
    accessory: {
      type: 'button',
      text: { type: 'plain_text', text: 'Review in inbox', emoji: false },
      url: a.inboxUrl,
      action_id: `review_${a.id}`,
    },
  };
}

/** One Block Kit message for a digest: header, one section per point (first `showItems`), "+K more", context. */
export function buildSlackMessage(alerts: readonly Alert[], opts: { showItems: number; inboxBaseUrl?: string }) {
  const top = highestClassification(alerts);
  const n = alerts.length;
  const drift = alerts.every((a) => a.kind === 'drift');
  const noun = n === 1 ? 'data point' : 'data points';
  const leak = alerts.every((a) => a.kind === 'leak');
  const dead = alerts.every((a) => a.kind === 'dead_letter');
  const title = `${EMOJI[top]} ${n} ${dead ? 'dead-letter codes' : `${leak ? 'leaking' : drift ? 'drifted' : 'new'} ${noun}`}${alerts.some((a) => a.test) ? ' (test)' : ''}`;

  const shown = alerts.slice(0, opts.showItems);
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: clip(title, 150), emoji: true } }];
  for (const a of shown) {
    blocks.push({ type: 'divider' }, pointSection(a));
  }
  const more = n - shown.length;
  if (more > 0) {
    const link = opts.inboxBaseUrl ? ` — <${opts.inboxBaseUrl}/inventory/inbox|open the inbox>` : '';
    blocks.push({ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text: `*+${more} more*${link}` } });
  }
  const sources = [...new Set(alerts.map((a) => a.source))];
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: esc(
          clip(`Segmentloom · ${sources.length === 1 ? `source ${sources[0]}` : `${sources.length} sources`} · detected ${alerts[0]?.detectedAt ?? ''}`, 300),
        ),
      },
    ],
  });
  // `text` is what a phone notification shows; blocks are the rich body.
  return { text: clip(title, 300), blocks };
}

export function createSlackChannel(cfg: SlackChannelConfig, baseUrl: string): AlertChannel {
  const tls = receiverTls(cfg);
  return {
    name: cfg.name,
    type: 'slack',
    async send(alerts) {
      const body = JSON.stringify(buildSlackMessage(alerts, { showItems: cfg.showItems, inboxBaseUrl: baseUrl }));
      return [await postJson(cfg.url, body, {}, cfg.timeoutMs, `slack channel "${cfg.name}"`, tls)];
    },
  };
}
