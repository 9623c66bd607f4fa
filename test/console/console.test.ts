import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../cli/process.js';
import { Jar, loginAs, ssoTestHub } from '../sso/helpers.js';
import { AuditLog } from '../../src/console/index.js';
import { blankPayload } from '../../src/events/console-panel.js';

const TYPE = 'console_test.widget_changed_v1';

/**
 * The console over real HTTP: a sandbox hub (emulator in-process) with Feishu login; Alice is an
 * admin (sso.admins), Bob is not; a listener fails until it is "fixed".
 */
describe('the console over HTTP', () => {
  let t: Awaited<ReturnType<typeof ssoTestHub>>;
  let hub: string;
  let broken = true;
  const handled: string[] = [];
  const alice = new Jar();
  let csrf: string;

  const inject = async (event: Record<string, unknown>) => {
    const res = await fetch(`${t.emulator.url}/__emulator/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event_type: TYPE, event }) });
    return ((await res.json()) as { event_id: string }).event_id;
  };
  const dead = (id: string) => eventually(async () => ((await t.hub.inbox!.get(id))?.status === 'dead' ? true : undefined), 10_000, `${id} to be dead-lettered`);
  const act = (jar: Jar, name: string, body: unknown, headers: Record<string, string> = {}) =>
    jar.fetch(`${hub}/console/api/panels/events/actions/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const audit = () => new AuditLog(t.hub.store!).recent();

  beforeAll(async () => {
    t = await ssoTestHub({
      inbox: { maxAttempts: 2, backoff: { baseMs: 20, maxMs: 40 } },
      setup: (h) =>
        h.event(TYPE, async (ctx) => {
          if (broken) throw new Error('the widget service is down (ECONNREFUSED)');
          handled.push(ctx.eventId);
        }),
    });
    hub = t.hub.url!;
    await loginAs(alice, hub, t.users.alice.open_id, '/console');
    csrf = ((await (await alice.fetch(`${hub}/console/api/session`)).json()) as { csrf: string }).csrf;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a signed-in non-admin gets a clear 403 page (and 403 JSON from the API)', async () => {
    const bob = new Jar();
    await loginAs(bob, hub, t.users.bob.open_id, '/console');
    const page = await bob.fetch(`${hub}/console`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(403);
    const text = await page.text();
    expect(text).toContain('Admins only');
    expect(text).toContain(t.users.bob.name);
    expect(text).toContain('console.admins');
    const api = await bob.fetch(`${hub}/console/api/panels/events`);
    expect(api.status).toBe(403);
    expect(((await api.json()) as { error: string }).error).toBe('forbidden');
    const action = await act(bob, 'replay', { ids: ['x'] });
    expect(action.status).toBe(403);
  });

  it('an admin sees the shell and every capability\'s panels, with a CSRF token', async () => {
    const page = await alice.fetch(`${hub}/console`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/console/assets/main.js');
    const session = (await (await alice.fetch(`${hub}/console/api/session`)).json()) as { user: { name: string; sandbox?: boolean }; csrf: string; panels: { id: string; capability: string; module: string }[] };
    expect(session.user.sandbox).toBeUndefined();
    expect(session.user.name).toBe(t.users.alice.name);
    expect(session.csrf).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    // Other capabilities contribute panels too (sync, incidents, approvals: test/console/panels.test.ts).
    expect(session.panels.map((p) => [p.id, p.capability])).toEqual(expect.arrayContaining([
      ['events', 'events'],
      ['audit', 'console'],
    ]));
    const module = await alice.fetch(`${hub}${session.panels.find((p) => p.id === 'events')!.module}`);
    expect(module.status).toBe(200);
    expect(module.headers.get('content-type')).toContain('text/javascript');
    expect(await module.text()).toContain("from '@console/kit'");
    expect((await fetch(`${hub}/console/vendor/preact.mjs`)).status).toBe(200);
  });

  it('in the sandbox, a browser with no session is the demo admin, and the session says so', async () => {
    const anon = new Jar();
    const page = await anon.fetch(`${hub}/console`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const session = (await (await anon.fetch(`${hub}/console/api/session`)).json()) as { user: { name: string; sandbox?: boolean }; sandbox: boolean; csrf: string };
    expect(session.sandbox).toBe(true);
    expect(session.user).toMatchObject({ sandbox: true, email: 'alice@example.com' });
    expect(session.csrf).not.toBe(csrf); // tied to this browser's console cookie, not Alice's session
    // A request with neither the hub session nor the console cookie has no token to match.
    const bare = await fetch(`${hub}/console/api/panels/events/actions/replay`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf }, body: '{"ids":["x"]}' });
    expect(bare.status).toBe(403);
    expect(((await bare.json()) as { error: string }).error).toBe('csrf');
  });

  it('an action without the session\'s CSRF token (or with another session\'s) is refused and runs nothing', async () => {
    const id = await inject({ n: 0 });
    await dead(id);
    const before = (await audit()).length;
    const none = await act(alice, 'replay', { ids: [id] });
    expect(none.status).toBe(403);
    expect(((await none.json()) as { error: string }).error).toBe('csrf');
    const other = new Jar();
    await loginAs(other, hub, t.users.alice.open_id, '/console'); // Alice again, in another browser: another session
    const theirs = ((await (await other.fetch(`${hub}/console/api/session`)).json()) as { csrf: string }).csrf;
    expect(theirs).not.toBe(csrf);
    expect((await act(alice, 'replay', { ids: [id] }, { 'x-csrf-token': theirs })).status).toBe(403);
    expect((await t.hub.inbox!.get(id))!.status).toBe('dead');
    expect((await audit()).length).toBe(before);
  });

  it('the events panel lists a dead letter with its attempts and error; replay writes an audit row and the event is handled', async () => {
    const id = await inject({ widget: 'w-1' });
    await dead(id);
    const list = (await (await alice.fetch(`${hub}/console/api/panels/events?view=dead&event=${id}`)).json()) as { data: any };
    const row = list.data.items.find((e: { id: string }) => e.id === id);
    expect(row).toMatchObject({ type: TYPE, status: 'dead', attempts: 2 });
    expect(row.error).toContain('the widget service is down (ECONNREFUSED)');
    expect(list.data.stats.dead).toBeGreaterThanOrEqual(1);
    expect(list.data.maxAttempts).toBe(2);
    expect(list.data.event.payload.event).toEqual({ widget: 'w-1' });
    if (list.data.event.payload.header?.token) expect(list.data.event.payload.header.token).toBe('[redacted]');

    broken = false;
    const res = await act(alice, 'replay', { ids: [id] }, { 'x-csrf-token': csrf });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { ok: boolean; result: { replayed: string[] }; audit_id: string };
    expect(answer.result.replayed).toEqual([id]);
    await eventually(() => (handled.includes(id) ? true : undefined), 10_000, 'the replayed event to be handled');
    await eventually(async () => ((await t.hub.inbox!.get(id))?.status === 'done' ? true : undefined), 5000, 'the event to be done');
    const [entry] = await audit();
    expect(entry).toMatchObject({ id: answer.audit_id, who: expect.stringMatching(/^u_/), whoName: t.users.alice.name, panel: 'events', action: 'replay', ok: true });
    expect(JSON.parse(entry.input)).toEqual({ ids: [id] });
    expect(JSON.parse(entry.result)).toEqual({ replayed: [id], skipped: [] });
    // The console's own Audit panel shows it.
    const panel = (await (await alice.fetch(`${hub}/console/api/panels/audit`)).json()) as { data: { entries: { id: string }[] } };
    expect(panel.data.entries[0].id).toBe(answer.audit_id);
  });

  it('discard needs a reason; with one the dead letter is closed and the reason kept (both audited)', async () => {
    broken = true;
    const id = await inject({ widget: 'w-2' });
    await dead(id);
    const refused = await act(alice, 'discard', { ids: [id] }, { 'x-csrf-token': csrf });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toContain('reason');
    const ok = await act(alice, 'discard', { ids: [id], reason: 'test traffic' }, { 'x-csrf-token': csrf });
    expect(ok.status).toBe(200);
    const item = (await t.hub.inbox!.get(id))!;
    expect(item.status).toBe('done');
    expect(item.lastError).toBe(`discarded: test traffic (by ${t.users.alice.name})`);
    const [last, first] = await audit();
    expect(last).toMatchObject({ action: 'discard', ok: true });
    expect(first).toMatchObject({ action: 'discard', ok: false });
    expect(first.result).toContain('reason');
  });

  it('blanks the hub\'s secrets and secret-named keys in a payload', () => {
    const out = blankPayload({ header: { token: 'vt-123', event_id: 'e1' }, event: { note: 'key is s3cr3t-value', app_ticket: 't' } }, ['s3cr3t-value']) as any;
    expect(out).toEqual({ header: { token: '[redacted]', event_id: 'e1' }, event: { note: 'key is [redacted]', app_ticket: '[redacted]' } });
  });
});
