import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSubject } from '../../src/storage/access.js';
import { SuppressionList } from '../../src/storage/suppression/list.js';
import { REQUEST_LOCK } from '../../src/storage/locks.js';
import { SubjectRequests } from '../../src/storage/requests.js';
import type { Storage } from '../../src/storage/storage.js';
import { upsertObservations } from '../../src/inventory/store.js';
import { ENGINES, identify, openTestDb, storageOn, track, type TestDb } from './helpers.js';

describe.each(ENGINES)('data-subject requests (%s)', (engine) => {
  let t: TestDb;
  let s: Storage;
  beforeAll(async () => {
    t = await openTestDb(engine, 'requests');
    s = await storageOn(t.db);
  });
  afterAll(() => t.close());

  const count = async (sql: string, params: unknown[]) => (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0]!.n;

  it('moves RECEIVED → RUNNING → FINISHED and issues a receipt for a deletion', async () => {
    await s.events.storeEvents([identify('del-1', { email: 'del1@example.com' }), track('del-1', 'A'), track('del-1', 'B'), track('keep-1', 'A')]);
    await upsertObservations(t.db, [
      {
        source: 'web',
        event: 'A',
        path: 'properties.email',
        category: 'email',
        dataCategory: 'user.contact.email',
        classification: 'red',
        matchedOn: 'key',
        confidence: 0.9,
        matcher: 'key',
        count: 1,
        firstSeen: new Date().toISOString(),
        lastSeen: new Date().toISOString(),
        example: 'd***@example.com',
        exampleSubject: s.hasher.subjectHash('del-1'),
      },
    ]);
    const created = await s.requests.create('DELETE', { userId: 'del-1' });
    expect(created.status).toBe('RECEIVED');
    expect(created.startedAt).toBeNull();
    const done = await s.requests.run(created.id);
    expect(done.status).toBe('FINISHED');
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    const subject = s.hasher.subjectHash('del-1');
    expect(await s.requests.receipt(created.id)).toEqual({
      requestId: created.id,
      type: 'DELETE',
      subject,
      subjects: [subject],
      removed: { dataKeys: 1, events: 3, profiles: 1, identities: 1, inventoryExamples: 1 },
      suppressed: 0,
      unsuppressed: 0,
      where: ['data_keys', 'events', 'profiles', 'identities', 'inventory_examples'],
      covered: [{ subject, via: 'identifier' }],
      finishedAt: done.finishedAt,
      regulation: 'GDPR',
      deadline: done.deadlineAt,
    });
    expect(await count('events WHERE subject_hash = $1', [subject])).toBe(0);
    expect(await count('events WHERE subject_hash = $1', [s.hasher.subjectHash('keep-1')])).toBe(1);
    const [point] = await t.db.query<{ example: string | null; count: number }>(`SELECT example, count FROM inventory_points WHERE path = 'properties.email'`);
    expect(point).toEqual({ example: null, count: 1 });
    // Re-running a finished request is a no-op that returns it.
    expect((await s.requests.run(created.id)).status).toBe('FINISHED');
  });

  it('deletes the subject identified with an email, and nobody through an address several subjects claim', async () => {
    await s.events.storeEvents([
      identify('mail-a', { email: 'Shared@Example.com' }),
      identify('mail-b', { email: 'shared@example.com' }),
      track('mail-a', 'X'),
      track('mail-b', 'Y'),
      identify('mail-c', { email: 'other@example.com' }),
      track('mail-c', 'Z'),
    ]);
    // An email link is a claim any client can make (identify with anyone's userId): like an
    // anonymous id, it widens a request only when it is linked to no other subject.
    const shared = await s.requests.submit('DELETE', { email: ' shared@EXAMPLE.com' });
    expect(shared.status).toBe('FINISHED');
    expect(shared.receipt!.subject).toBe(s.hasher.emailHash('shared@example.com'));
    expect(shared.receipt!.subjects).toEqual([]);
    expect(await count('events WHERE subject_hash = $1', [s.hasher.subjectHash('mail-a')])).toBe(2);
    expect(await count('events WHERE subject_hash = $1', [s.hasher.subjectHash('mail-b')])).toBe(2);

    const only = await s.requests.submit('DELETE', { email: 'other@example.com' });
    expect(only.receipt!.subjects).toEqual([s.hasher.subjectHash('mail-c')]);
    expect(only.receipt!.removed).toMatchObject({ dataKeys: 1, events: 2, profiles: 1 });
    expect(await count('identities WHERE email_hash = $1', [s.hasher.emailHash('other@example.com')])).toBe(0);
  });

  it('by userId, reaches the anonymous history linked to the person (anonymousId of identified events, alias previousId)', async () => {
    await s.events.storeEvents([
      track(null, 'Browsed', {}, { anonymousId: 'anon-before-login' }),
      track(null, 'Browsed', {}, { anonymousId: 'old-device-anon' }),
      track(null, 'Browsed', {}, { anonymousId: 'someone-elses-anon' }),
    ]);
    await s.events.storeEvents([
      { ...identify('linked-user', { plan: 'pro' }), anonymousId: 'anon-before-login' },
      { type: 'alias', messageId: `alias-${Date.now()}`, userId: 'linked-user', previousId: 'old-device-anon' } as Parameters<
        typeof s.events.storeEvents
      >[0][number],
      track('linked-user', 'Bought'),
    ]);
    const h = (id: string) => s.hasher.subjectHash(id);
    const done = await s.requests.submit('DELETE', { userId: 'linked-user' });
    expect(done.receipt!.subjects.sort()).toEqual([h('linked-user'), h('anon-before-login'), h('old-device-anon')].sort());
    for (const id of ['linked-user', 'anon-before-login', 'old-device-anon']) expect(await count('events WHERE subject_hash = $1', [h(id)])).toBe(0);
    expect(await count('events WHERE subject_hash = $1', [h('someone-elses-anon')])).toBe(1);
    expect(await count('subject_links WHERE subject_hash = $1', [h('linked-user')])).toBe(0);
  });

  it('by userId, leaves an anonymous id also seen with another account; an access export follows no link', async () => {
    await s.events.storeEvents([track(null, 'Browsed', {}, { anonymousId: 'family-laptop' }), track(null, 'Browsed', {}, { anonymousId: 'claimed-anon' })]);
    await s.events.storeEvents([
      { ...track('parent', 'A'), anonymousId: 'family-laptop' },
      { ...track('child', 'B'), anonymousId: 'family-laptop' },
      // A link only this account claims (possibly forged by its client).
      { ...track('claimant', 'C'), anonymousId: 'claimed-anon' },
    ]);
    const h = (id: string) => s.hasher.subjectHash(id);
    const exported = await exportSubject(s, { userId: 'claimant' });
    expect(exported.subjects.map((x) => x.subject)).toEqual([h('claimant')]);
    const done = await s.requests.submit('DELETE', { userId: 'parent' });
    expect(done.receipt!.subjects).toEqual([h('parent')]);
    expect(await count('events WHERE subject_hash = $1', [h('family-laptop')])).toBe(1);
  });

  it('by anonymousId, never widens to the accounts that id was seen with (a shared device)', async () => {
    await s.events.storeEvents([
      { ...track('shared-a', 'A'), anonymousId: 'shared-device' },
      { ...track('shared-b', 'B'), anonymousId: 'shared-device' },
      track(null, 'Browsed', {}, { anonymousId: 'shared-device' }),
    ]);
    const h = (id: string) => s.hasher.subjectHash(id);
    const done = await s.requests.submit('DELETE', { anonymousId: 'shared-device' });
    expect(done.receipt!.subjects).toEqual([h('shared-device')]);
    expect(await count('events WHERE subject_hash = $1', [h('shared-device')])).toBe(0);
    expect(await count('events WHERE subject_hash = $1', [h('shared-a')])).toBe(1);
    expect(await count('events WHERE subject_hash = $1', [h('shared-b')])).toBe(1);
    // The links to the erased id are gone with it.
    expect(await count('subject_links WHERE linked_hash = $1', [h('shared-device')])).toBe(0);
  });

  it('suppresses and unsuppresses through an in-memory list', async () => {
    const list = new SuppressionList(t.db);
    await list.refresh();
    const subject = s.hasher.subjectHash('sup-1');
    expect(list.isSuppressed(subject)).toBe(false);
    const sup = await s.requests.submit('SUPPRESS', { anonymousId: 'sup-1' });
    expect(sup.receipt).toMatchObject({ suppressed: 1, where: [] });
    expect(list.isSuppressed(subject)).toBe(false); // not until refreshed
    await list.refresh();
    expect(list.isSuppressed(subject)).toBe(true);
    const check = list.forEvents(s.hasher);
    expect(check.isSuppressed({ type: 'track', event: 'x', userId: 'someone', anonymousId: 'sup-1' })).toBe(true);
    expect(check.isSuppressed({ type: 'track', event: 'x', userId: 'someone' })).toBe(false);
    await s.requests.submit('UNSUPPRESS', { anonymousId: 'sup-1' });
    await list.refresh();
    expect(list.isSuppressed(subject)).toBe(false);
  });

  it('suppresses by email a person never seen before: their later events carrying that email are dropped', async () => {
    const list = new SuppressionList(t.db);
    const check = list.forEvents(s.hasher);
    const later = { type: 'identify' as const, userId: 'brand-new-user', traits: { email: 'New.Person@Example.com' } };
    const inContext = { type: 'track' as const, event: 'x', anonymousId: 'anon-new', context: { traits: { email: 'new.person@example.com ' } } };
    const someoneElse = { type: 'identify' as const, userId: 'other', traits: { email: 'other@example.com' } };
    const done = await s.requests.submit('SUPPRESS', { email: 'new.person@example.com' });
    expect(done.receipt).toMatchObject({ suppressed: 1, subjects: [] });
    await list.refresh();
    expect(check.isSuppressed(later)).toBe(true);
    expect(check.isSuppressed(inContext)).toBe(true);
    expect(check.isSuppressed(someoneElse)).toBe(false);
    // The email is stored only as a keyed hash.
    const rows = await t.db.query<{ subject_hash: string }>('SELECT subject_hash FROM suppressions');
    expect(JSON.stringify(rows)).not.toContain('new.person');
    await s.requests.submit('UNSUPPRESS', { email: 'NEW.PERSON@example.com' });
    await list.refresh();
    expect(check.isSuppressed(later)).toBe(false);
  });

  it('SUPPRESS_WITH_DELETE suppresses and erases', async () => {
    await s.events.storeEvents([track('swd', 'Z')]);
    const done = await s.requests.submit('SUPPRESS_WITH_DELETE', { userId: 'swd' });
    expect(done.receipt).toMatchObject({ suppressed: 1, removed: { dataKeys: 1, events: 1 } });
    await s.suppressions.refresh();
    expect(s.suppressions.isSuppressed(s.hasher.subjectHash('swd'))).toBe(true);
  });

  it('records a failure without personal data and can be re-run', async () => {
    const created = await s.requests.create('DELETE', { userId: 'fail-1' });
    await t.db.exec('ALTER TABLE profiles RENAME TO profiles_away');
    const failed = await s.requests.run(created.id);
    await t.db.exec('ALTER TABLE profiles_away RENAME TO profiles');
    expect(failed.status).toBe('FAILED');
    expect(failed.failure).toMatch(/SQLSTATE 42P01/);
    expect(failed.failure).not.toContain('fail-1');
    // A failed request is not left behind: the pending run (engine loop or cron) finishes it.
    const rerun = await s.requests.runPending();
    expect(rerun.find((r) => r.id === created.id)?.status).toBe('FINISHED');
    expect((await s.requests.run(created.id)).status).toBe('FINISHED');
  });

  it('a request that failed half-way reports the totals of both runs in its one receipt', async () => {
    await s.events.storeEvents([identify('half-1', { email: 'half1@example.com' }), track('half-1', 'A'), track('half-1', 'B')]);
    const created = await s.requests.create('SUPPRESS_WITH_DELETE', { userId: 'half-1' });
    // Keys and events go, then the profiles step fails: the first run removed those, not the rest.
    await t.db.exec('ALTER TABLE profiles RENAME TO profiles_away');
    const failed = await s.requests.run(created.id);
    await t.db.exec('ALTER TABLE profiles_away RENAME TO profiles');
    expect(failed.status).toBe('FAILED');
    expect(await count('events WHERE subject_hash = $1', [s.hasher.subjectHash('half-1')])).toBe(0);
    const done = await s.requests.run(created.id);
    expect(done.status).toBe('FINISHED');
    expect(done.receipt).toMatchObject({ suppressed: 1, removed: { dataKeys: 1, events: 3, profiles: 1, identities: 1 } });
    expect(done.receipt!.where).toEqual(['data_keys', 'events', 'profiles', 'identities']);
  });

  it('takes over a request left RUNNING by a dead runner, never one a live runner holds', async () => {
    const created = await s.requests.create('DELETE', { userId: 'crashed-1' });
    await s.events.storeEvents([track('crashed-1', 'A')]);
    // As a process killed mid-run leaves it (on PGlite, claimed long enough ago to count as abandoned).
    await t.db.query(`UPDATE subject_requests SET status = 'RUNNING', started_at = now() - interval '1 day' WHERE id = $1`, [created.id]);
    if (engine === 'postgres') {
      // A live runner: another connection holding the request's lock.
      const other = await t.second();
      await other.transaction(async (live) => {
        await live.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [REQUEST_LOCK, created.id]);
        expect((await s.requests.run(created.id)).status).toBe('RUNNING');
        expect(await s.requests.resumeAbandoned()).toEqual([]);
      });
    }
    // The runner is gone: resumed, finished once, and a second run leaves the receipt as written.
    const [resumed] = await s.requests.resumeAbandoned();
    expect(resumed?.id).toBe(created.id);
    expect(resumed?.status).toBe('FINISHED');
    expect((await s.requests.receipt(created.id))?.removed.events).toBe(1);
    const again = await s.requests.run(created.id);
    expect(again.finishedAt).toBe(resumed!.finishedAt);
  });

  it('answers an id that is not a request id without querying it', async () => {
    await expect(s.requests.run("jane@example.com'; --")).rejects.toThrow(/^no such request$/);
  });

  it('never stores the identifier in the requests table', async () => {
    await s.requests.create('SUPPRESS', { email: 'never.stored@example.com' });
    const rows = await t.db.query<{ row: string }>('SELECT r::text AS row FROM subject_requests r');
    expect(rows.map((r) => r.row).join('\n')).not.toMatch(/never\.stored|del-1|mail-a/);
  });

  it('logs nothing personal', async () => {
    const lines: string[] = [];
    const capture = (level: string) => (obj: object, msg?: string) => void lines.push(JSON.stringify({ level, msg, ...obj }));
    const requests = new SubjectRequests({ db: t.db, hasher: s.hasher, logger: { info: capture('info'), warn: capture('warn'), error: capture('error') } });
    await s.events.storeEvents([identify('log-user', { email: 'log.me@example.com' }), track('log-user', 'X')]);
    await requests.submit('DELETE', { email: 'log.me@example.com' });
    const failing = await requests.create('DELETE', { userId: 'log-user' });
    await t.db.exec('ALTER TABLE profiles RENAME TO profiles_gone');
    await requests.run(failing.id);
    await t.db.exec('ALTER TABLE profiles_gone RENAME TO profiles');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.join('\n')).not.toMatch(/log\.me|log-user/);
  });

  it('rejects malformed selectors and unknown ids', async () => {
    await expect(s.requests.create('DELETE', { userId: '' })).rejects.toThrow(/exactly one/);
    await expect(s.requests.create('DELETE', { userId: 'a', email: 'b@c' } as never)).rejects.toThrow(/exactly one/);
    await expect(s.requests.create('NUKE' as never, { userId: 'a' })).rejects.toThrow(/unknown request type/);
    expect(await s.requests.get('not-a-uuid')).toBeNull();
    expect(await s.requests.get('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('exports everything stored about a subject', async () => {
    const events = [identify('acc-1', { email: 'acc@example.com', name: 'Ada' }), track('acc-1', 'Bought', { sku: 'k1' })];
    await s.events.storeEvents(events);
    await s.requests.submit('SUPPRESS', { userId: 'acc-1' });
    const out = await exportSubject(s, { email: 'acc@example.com' });
    expect(out.idKind).toBe('email');
    expect(out.subjects).toHaveLength(1);
    const data = out.subjects[0]!;
    expect(data.subject).toBe(s.hasher.subjectHash('acc-1'));
    expect(data.events.map((e) => e.payload)).toEqual(expect.arrayContaining(events));
    expect(data.profile).toEqual({ email: 'acc@example.com', name: 'Ada' });
    expect(data.suppressed).toBe(true);
    expect(out.requests.map((r) => r.type)).toEqual(['SUPPRESS']);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });
});
