import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSubject } from '../../src/storage/access.js';
import type { Storage } from '../../src/storage/storage.js';
import { ENGINES, identify, openTestDb, storageOn, track, type TestDb } from './helpers.js';

describe.each(ENGINES)('correction requests (%s)', (engine) => {
  let t: TestDb;
  let s: Storage;
  beforeAll(async () => {
    t = await openTestDb(engine, 'correction');
    s = await storageOn(t.db);
  });
  afterAll(() => t.close());

  /** Every byte the database holds for these tables, to prove an old value is gone (not only hidden). */
  const rawBytes = async () => {
    const rows = await t.db.query<{ b: Buffer | null }>(
      `SELECT payload AS b FROM events UNION ALL SELECT traits FROM profiles UNION ALL SELECT correction FROM subject_requests`,
    );
    return Buffer.concat(rows.map((r) => (r.b ? Buffer.from(r.b) : Buffer.alloc(0))));
  };

  it('corrects the profile and the stored events, and the access export shows the corrected data', async () => {
    await s.events.storeEvents([
      identify('fix-1', { email: 'old.address@example.com', name: 'Jon Smiht', plan: 'pro' }, new Date(Date.now() - 60_000).toISOString()),
      track('fix-1', 'Viewed', { page: 'home' }, { context: { traits: { email: 'old.address@example.com' } } }),
      track('fix-1', 'Other', { page: 'faq' }),
      track('bystander', 'Viewed', {}, { context: { traits: { email: 'old.address@example.com' } } }),
    ]);
    const done = await s.requests.submit(
      'CORRECT',
      { userId: 'fix-1' },
      { correction: { set: { email: 'new.address@example.com', name: 'Jon Smith' }, unset: ['plan'] } },
    );
    expect(done.status).toBe('FINISHED');
    expect(done.receipt!.corrected).toEqual({ profiles: 1, events: 2, fields: ['email', 'name', 'plan'] });
    expect(done.receipt!.covered).toEqual([{ subject: s.hasher.subjectHash('fix-1'), via: 'identifier' }]);
    expect(done.receipt!.where).toEqual(['profiles', 'events']);
    // The receipt names fields, never values.
    expect(JSON.stringify(done.receipt)).not.toContain('example.com');

    const exported = await exportSubject(s, { userId: 'fix-1' });
    const [subject] = exported.subjects;
    expect(subject!.profile).toEqual({ email: 'new.address@example.com', name: 'Jon Smith' });
    const payloads = subject!.events.map((e) => e.payload as Record<string, any>);
    expect(payloads.find((p) => p.type === 'identify')!.traits).toEqual({ email: 'new.address@example.com', name: 'Jon Smith' });
    expect(payloads.find((p) => p.event === 'Viewed')!.context.traits).toEqual({ email: 'new.address@example.com' });
    expect(payloads.find((p) => p.event === 'Other')!.properties).toEqual({ page: 'faq' });
    // Another person's events are untouched.
    const other = await exportSubject(s, { userId: 'bystander' });
    expect((other.subjects[0]!.events[0]!.payload as Record<string, any>).context.traits.email).toBe('old.address@example.com');
  });

  it('keeps the new values sealed until forwarded, then destroys them; the identify carries set and removed traits', async () => {
    await s.events.storeEvents([identify('fwd-1', { phone: '+1 202 555 0147' })]);
    const done = await s.requests
      .submit('CORRECT', { email: 'nobody-links-this@example.com' }, { correction: { set: { phone: '+1 202 555 0199' } } })
      .catch(() => null);
    // By an email no subject claims: the request finishes with nothing to correct and no one to address.
    expect(done?.receipt?.corrected).toEqual({ profiles: 0, events: 0, fields: ['phone'] });

    const byUser = await s.requests.submit('CORRECT', { userId: 'fwd-1' }, { correction: { set: { phone: '+1 202 555 0199' }, unset: ['fax'] } });
    expect((await rawBytes()).includes(Buffer.from('+1 202 555 0199'))).toBe(false);
    const pending = await s.requests.pendingForwards();
    const mine = pending.find((p) => p.requestId === byUser.id)!;
    expect(mine.event).toMatchObject({
      type: 'identify',
      userId: 'fwd-1',
      messageId: `correction-${byUser.id}`,
      traits: { phone: '+1 202 555 0199', fax: null },
    });
    // The email request had no id to address an identify to: it was released without one.
    expect(pending.some((p) => p.requestId === done!.id)).toBe(false);

    await s.requests.markForwarded(byUser.id);
    expect((await s.requests.get(byUser.id))!.forwardedAt).not.toBeNull();
    expect((await s.requests.pendingForwards()).some((p) => p.requestId === byUser.id)).toBe(false);
    const [row] = await t.db.query<{ correction: Buffer | null }>('SELECT correction FROM subject_requests WHERE id = $1', [byUser.id]);
    expect(row!.correction).toBeNull();
    const [key] = await t.db.query<{ wrapped: Buffer | null }>('SELECT wrapped FROM data_keys WHERE subject_hash = $1', [`request:${byUser.id}`]);
    expect(key!.wrapped).toBeNull();
  });

  it('the old value is kept nowhere in clear, and a later replay of an older identify does not bring it back', async () => {
    const before = new Date(Date.now() - 120_000).toISOString();
    await s.events.storeEvents([identify('fix-2', { nickname: 'oldnick-4711' }, before)]);
    await s.requests.submit('CORRECT', { userId: 'fix-2' }, { correction: { unset: ['nickname'] } });
    // A client retrying the old identify (new messageId, old timestamp) does not restore it.
    await s.events.storeEvents([{ ...identify('fix-2', { nickname: 'oldnick-4711' }, before), messageId: 'replayed-old-identify' }]);
    const exported = await exportSubject(s, { userId: 'fix-2' });
    expect(exported.subjects[0]!.profile).toEqual({});
  });

  it('a deletion cancels a correction not forwarded yet (its new values would otherwise reach destinations)', async () => {
    await s.events.storeEvents([identify('fix-3', { city: 'Lyon' })]);
    const corrected = await s.requests.submit('CORRECT', { userId: 'fix-3' }, { correction: { set: { city: 'Paris' } } });
    expect((await s.requests.pendingForwards()).some((p) => p.requestId === corrected.id)).toBe(true);
    await s.requests.submit('DELETE', { userId: 'fix-3' });
    expect((await s.requests.pendingForwards()).some((p) => p.requestId === corrected.id)).toBe(false);
  });

  it('refuses a correction without changes, with both set and unset of a trait, or on another request type', async () => {
    await expect(s.requests.create('CORRECT', { userId: 'x' }, { correction: {} })).rejects.toThrow('sets or removes at least one trait');
    await expect(s.requests.create('CORRECT', { userId: 'x' }, { correction: { set: { a: 1 }, unset: ['a'] } })).rejects.toThrow('either set or removed');
    await expect(s.requests.create('DELETE', { userId: 'x' }, { correction: { set: { a: 1 } } })).rejects.toThrow('CORRECT request');
    await expect(s.requests.create('CORRECT', { userId: 'x' })).rejects.toThrow('CORRECT request');
  });
});

describe.each(ENGINES)('deletion reaches every identifier of a person (%s)', (engine) => {
  let t: TestDb;
  let s: Storage;
  beforeAll(async () => {
    t = await openTestDb(engine, 'identifiers');
    s = await storageOn(t.db);
  });
  afterAll(() => t.close());

  it('by email, reaches an earlier anonymousId linked by alias, and the receipt lists how each was covered', async () => {
    const h = (id: string) => s.hasher.subjectHash(id);
    await s.events.storeEvents([
      track(null, 'Browsed', {}, { anonymousId: 'first-visit-anon' }),
      track(null, 'Browsed', {}, { anonymousId: 'unrelated-anon' }),
    ]);
    await s.events.storeEvents([
      identify('mail-user', { email: 'Person@Example.org' }),
      { type: 'alias', messageId: `alias-${Date.now()}`, userId: 'mail-user', previousId: 'first-visit-anon' } as Parameters<
        typeof s.events.storeEvents
      >[0][number],
    ]);
    const done = await s.requests.submit('DELETE', { email: 'person@example.org' });
    expect(done.status).toBe('FINISHED');
    expect(done.receipt!.covered).toEqual([
      { subject: h('mail-user'), via: 'email' },
      { subject: h('first-visit-anon'), via: 'link' },
    ]);
    const left = async (id: string) => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE subject_hash = $1', [h(id)]))[0]!.n;
    expect(await left('first-visit-anon')).toBe(0);
    expect(await left('mail-user')).toBe(0);
    expect(await left('unrelated-anon')).toBe(1);
  });
});
