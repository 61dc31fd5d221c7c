import { afterEach, describe, expect, it } from 'vitest';
import { toAlert } from '../../src/alerts/alert.js';
import { createSlackChannel } from '../../src/alerts/channels/slack.js';
import type { SlackChannelConfig } from '../../src/alerts/config.js';
import { BASE_URL, channelDefaults, signal, startReceiver, type Receiver } from './helpers.js';

type Block = {
  type: string;
  text?: { type: string; text: string };
  accessory?: { type: string; url: string; text: { text: string } };
  elements?: Array<{ text: string }>;
};

let rx: Receiver | undefined;
afterEach(async () => {
  await rx?.close();
  rx = undefined;
});

function slackCfg(url: string, showItems = 10): SlackChannelConfig {
  return { ...channelDefaults(), name: 'sec', type: 'slack', url, showItems };
}

describe('slack channel', () => {
  it('posts a Block Kit message: header with count and emoji, one section per point, review button, context', async () => {
    rx = await startReceiver();
    const ch = createSlackChannel(slackCfg(rx.url), BASE_URL);
    const a = toAlert(signal({ classification: 'yellow', path: 'properties.user.email', event: 'Signed Up', source: 'ios app' }), BASE_URL);
    const b = toAlert(signal({ classification: 'red', path: 'context.traits.ssn', category: 'ssn' }), BASE_URL);
    await ch.send([a, b]);

    expect(rx.requests).toHaveLength(1);
    const req = rx.requests[0]!;
    expect(req.headers['content-type']).toContain('application/json');
    const msg = JSON.parse(req.body) as { text: string; blocks: Block[] };
    expect(msg.text).toBe('🔴 2 new data points');
    expect(msg.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '🔴 2 new data points', emoji: true } });

    const sections = msg.blocks.filter((x) => x.type === 'section');
    expect(sections).toHaveLength(2);
    const first = sections[0]!;
    expect(first.text!.text).toContain('`properties.user.email`');
    expect(first.text!.text).toContain('*Event:* Signed Up');
    expect(first.text!.text).toContain('*Source:* ios app');
    expect(first.text!.text).toContain('*Category:* email (user.contact.email)');
    expect(first.text!.text).toContain('*Matcher:* key synonym "email" (key+value, 0.97)');
    expect(first.text!.text).toContain('*Example:* `j***@e***.com`');
    expect(first.accessory).toMatchObject({ type: 'button', text: { text: 'Review in inbox' } });
    expect(first.accessory!.url).toBe(`${BASE_URL}/inventory/inbox?source=ios%20app&event=Signed%20Up&path=properties.user.email`);
    expect(new URL(first.accessory!.url).searchParams.get('source')).toBe('ios app');

    const ctx = msg.blocks.at(-1)!;
    expect(ctx.type).toBe('context');
    expect(ctx.elements![0]!.text).toContain('Segmentloom');
    expect(msg.blocks.length).toBeLessThanOrEqual(50);
  });

  it('shows the first N points of a digest and "+K more"', async () => {
    rx = await startReceiver();
    const ch = createSlackChannel(slackCfg(rx.url, 5), BASE_URL);
    await ch.send(Array.from({ length: 30 }, () => toAlert(signal(), BASE_URL)));
    const msg = JSON.parse(rx.requests[0]!.body) as { blocks: Block[] };
    const sections = msg.blocks.filter((x) => x.type === 'section');
    expect(sections.filter((s) => s.accessory)).toHaveLength(5);
    expect(sections.at(-1)!.text!.text).toContain('*+25 more*');
    expect(msg.blocks[0]!.text!.text).toBe('🔴 30 new data points');
  });

  it('escapes mrkdwn control characters and marks drift with the previous classification', async () => {
    rx = await startReceiver();
    const ch = createSlackChannel(slackCfg(rx.url), BASE_URL);
    await ch.send([toAlert(signal({ kind: 'drift', classification: 'yellow', event: '<b>&Co</b>', path: 'properties.a`b' }), BASE_URL)]);
    const msg = JSON.parse(rx.requests[0]!.body) as { blocks: Block[] };
    const text = msg.blocks.find((b) => b.type === 'section')!.text!.text;
    expect(text).toContain('&lt;b&gt;&amp;Co&lt;/b&gt;');
    expect(text).not.toContain('a`b');
    expect(text).toContain('*Was:* 🟢 none · green');
    expect(msg.blocks[0]!.text!.text).toBe('🟡 1 drifted data point');
  });

  it('surfaces Slack errors without the (secret) webhook URL', async () => {
    rx = await startReceiver(() => ({ status: 400, body: 'invalid_blocks' }));
    const ch = createSlackChannel(slackCfg(rx.url), BASE_URL);
    const err = await ch.send([toAlert(signal(), BASE_URL)]).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('slack channel "sec": HTTP 400 (invalid_blocks)');
    expect((err as Error).message).not.toContain('127.0.0.1');
  });
});
