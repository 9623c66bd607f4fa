import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPush } from '../../src/events/index.js';
import type { Hub } from '../../src/index.js';
import { hubsOnOneDatabase } from '../helpers/hubs.js';

type Setup = Awaited<ReturnType<typeof hubsOnOneDatabase>>;

/** A v2 card click as Feishu posts it to the card URL. */
function cardClick(s: Setup, eventId: string, value: unknown) {
  const emu = s.emulator;
  return {
    schema: '2.0',
    header: { event_id: eventId, token: emu.app.verificationToken, create_time: String(Date.now() * 1000), event_type: 'card.action.trigger', tenant_key: emu.tenantKey, app_id: emu.app.appId },
    event: {
      operator: { open_id: emu.state.users[0].open_id },
      token: `c-${eventId}`,
      action: { value, tag: 'button' },
      host: 'im_message',
      context: { open_message_id: 'om_intake_test', open_chat_id: 'oc_intake_test' },
    },
  };
}

const post = async (url: string, push: { body: string; headers: Record<string, string> }) => {
  const res = await fetch(url, { method: 'POST', body: push.body, headers: push.headers });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

describe('card callbacks run their listener once, across repeats and restarts', () => {
  let s: Setup;
  let runs = 0;
  const counting = (hub: Hub) =>
    hub.action('intake.count', ({ toast }) => {
      runs++;
      toast(`run ${runs}`);
    });
  beforeAll(async () => {
    s = await hubsOnOneDatabase();
  });
  afterAll(() => s?.close());

  it('a byte-identical replay, a fresh-nonce repeat and a replay after a restart all get the first answer', async () => {
    const first = await s.hub(counting);
    const click = cardClick(s, `ev_click_${Date.now()}`, { action: 'intake.count' });
    const captured = signPush(click, { encryptKey: s.emulator.app.encryptKey });
    const url = `${first.hub.url}/webhook/card`;

    const a = await post(url, captured);
    expect(a).toEqual({ status: 200, body: { toast: { type: 'success', content: 'run 1' } } });
    // The same bytes again (a replay on the wire), then Feishu's own re-send: new timestamp, nonce and signature.
    expect(await post(url, captured)).toEqual(a);
    expect(await post(url, signPush(click, { encryptKey: s.emulator.app.encryptKey }))).toEqual(a);
    expect(runs).toBe(1);

    // The hub restarts (a new process on the same database): the captured click still runs nothing.
    await first.hub.stop();
    const second = await s.hub(counting);
    expect(await post(`${second.hub.url}/webhook/card`, captured)).toEqual(a);
    expect(runs).toBe(1);
    expect(second.logs.some((l) => l.msg === 'inbound push rejected')).toBe(false);

    // A different click still runs.
    const other = signPush(cardClick(s, `ev_click_other_${Date.now()}`, { action: 'intake.count' }), { encryptKey: s.emulator.app.encryptKey });
    expect((await post(`${second.hub.url}/webhook/card`, other)).body).toEqual({ toast: { type: 'success', content: 'run 2' } });
  });

  it('a second replica answering the same click concurrently does not run the listener again', async () => {
    const a = await s.hub(counting, { HUB_PORT: 0 });
    const b = await s.hub(counting, { HUB_PORT: 0 });
    const before = runs;
    const click = cardClick(s, `ev_click_replicas_${Date.now()}`, { action: 'intake.count' });
    const [ra, rb] = await Promise.all([
      post(`${a.hub.url}/webhook/card`, signPush(click, { encryptKey: s.emulator.app.encryptKey })),
      post(`${b.hub.url}/webhook/card`, signPush(click, { encryptKey: s.emulator.app.encryptKey })),
    ]);
    expect(runs).toBe(before + 1);
    expect(ra.status).toBe(200);
    expect(rb).toEqual(ra);
  });
});

describe('events and requests at the door', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await hubsOnOneDatabase();
  });
  afterAll(() => s?.close());

  it("Feishu's byte-identical re-send of a stored event gets 200 and runs nothing twice", async () => {
    let handled = 0;
    const { hub } = await s.hub((h) => h.event('contact.user.created_v3', () => void handled++));
    const event = { schema: '2.0', header: { event_id: `ev_dup_${Date.now()}`, token: s.emulator.app.verificationToken, create_time: String(Date.now()), event_type: 'contact.user.created_v3', tenant_key: s.emulator.tenantKey, app_id: s.emulator.app.appId }, event: { object: { open_id: 'ou_x' } } };
    const push = signPush(event, { encryptKey: s.emulator.app.encryptKey });
    expect((await post(`${hub.url}/webhook/event`, push)).status).toBe(200);
    for (let i = 0; i < 100 && (await hub.inbox!.get(event.header.event_id))?.status !== 'done'; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await post(`${hub.url}/webhook/event`, push)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(handled).toBe(1);
  });

  it('a body trickled in byte by byte is cut at HUB_REQUEST_TIMEOUT_MS with 408, and the log says why', async () => {
    const { hub, logs } = await s.hub(() => {}, { HUB_REQUEST_TIMEOUT_MS: 600, HUB_HEADERS_TIMEOUT_MS: 400 });
    const { port } = new URL(hub.url!);
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('POST /webhook/event HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n');
        const drip = setInterval(() => socket.writable && socket.write('{'), 100);
        socket.on('close', () => clearInterval(drip));
      });
      let got = '';
      socket.on('data', (d) => (got += d));
      socket.on('close', () => resolve(got));
      socket.on('error', () => resolve(got));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(5000); // Node's own default would be 300 s
    expect(logs.some((l) => /request cut/.test(l.msg) && l.request_timeout_ms === 600)).toBe(true);
  });

  it('X-Forwarded-For is not believed unless HUB_TRUST_PROXY says so', async () => {
    const forged = { body: '{"not":"signed"}', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' } };
    const plain = await s.hub();
    expect((await post(`${plain.hub.url}/webhook/event`, forged)).status).toBe(401);
    expect(plain.logs.find((l) => l.msg === 'inbound push rejected')?.ip).toBe('127.0.0.1');
    const proxied = await s.hub(() => {}, { HUB_TRUST_PROXY: 'true' });
    expect((await post(`${proxied.hub.url}/webhook/event`, forged)).status).toBe(401);
    expect(proxied.logs.find((l) => l.msg === 'inbound push rejected')?.ip).toBe('203.0.113.9');
  });

  it('a wrong app secret is named at start in one loud line and in /readyz', async () => {
    const { hub, logs } = await s.hub(() => {}, { FEISHU_APP_SECRET: 'not-the-secret' });
    let line: Record<string, any> | undefined;
    for (let i = 0; i < 100 && !line; i++) {
      line = logs.find((l) => /FEISHU NOT USABLE/.test(l.msg));
      if (!line) await new Promise((r) => setTimeout(r, 20));
    }
    expect(line?.msg).toMatch(/code 10015: app secret invalid.*FEISHU_APP_SECRET/);
    const ready = await fetch(`${hub.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.feishu).toMatch(/10015/);
  });

  it('an unreachable FEISHU_DOMAIN is named at start', async () => {
    const { logs } = await s.hub(() => {}, { FEISHU_DOMAIN: 'http://127.0.0.1:9' });
    let line: Record<string, any> | undefined;
    for (let i = 0; i < 500 && !line; i++) {
      line = logs.find((l) => /FEISHU NOT USABLE/.test(l.msg));
      if (!line) await new Promise((r) => setTimeout(r, 20));
    }
    expect(line?.msg).toMatch(/cannot reach Feishu at FEISHU_DOMAIN=http:\/\/127\.0\.0\.1:9/);
  });
});

describe('start-up refusals', () => {
  let s: Setup;

  it('createHub() in your own file with no credentials says in one line how to get the sandbox', async () => {
    const { createHub, loadConfig } = await import('../../src/index.js');
    expect(() => createHub({ config: loadConfig({ env: {}, file: undefined, overrides: { LOG_LEVEL: 'silent' } }) })).toThrow(
      /^no FEISHU_APP_ID set\. To run against the built-in local Feishu, export your app as a function of the hub and start it with `npx feishu-hub dev <file>`/,
    );
  });

  beforeAll(async () => {
    s = await hubsOnOneDatabase();
  });
  afterAll(() => s?.close());

  it('an app with neither encrypt key nor verification token is refused in one line, unless FEISHU_ALLOW_UNVERIFIED=true (logged loudly)', async () => {
    const err = await s.hub(() => {}, { FEISHU_ENCRYPT_KEY: '', FEISHU_VERIFICATION_TOKEN: '' }).catch((e: unknown) => e);
    expect((err as { problems?: string[] }).problems).toEqual([expect.stringMatching(/^FEISHU_ENCRYPT_KEY or FEISHU_VERIFICATION_TOKEN is required .*FEISHU_ALLOW_UNVERIFIED=true$/)]);
    const open = await s.hub(() => {}, { FEISHU_ENCRYPT_KEY: '', FEISHU_VERIFICATION_TOKEN: '', FEISHU_ALLOW_UNVERIFIED: 'true' });
    expect(open.logs.some((l) => l.level === 40 && /WITHOUT signature or token checks/.test(l.msg))).toBe(true);
    const unsigned = JSON.stringify({ schema: '2.0', header: { event_id: `ev_unsigned_${Date.now()}`, event_type: 'contact.user.created_v3', app_id: s.emulator.app.appId, token: '' }, event: {} });
    expect((await post(`${open.hub.url}/webhook/event`, { body: unsigned, headers: { 'content-type': 'application/json' } })).status).toBe(200);
  });
});

describe('across replicas on PostgreSQL', async () => {
  const { testBackends, dropSchema, PG_URL } = await import('../helpers/stores.js');
  const pgSkip = (await testBackends()).find((b) => b.backend.name === 'postgres')!.skip;
  const schema = `t_intake_${process.pid}_${Date.now().toString(36)}`;
  const url = `${PG_URL}?schema=${schema}`;
  let s: Setup;
  beforeAll(async () => {
    if (!pgSkip) s = await hubsOnOneDatabase();
  });
  afterAll(async () => {
    if (pgSkip) return;
    await s?.close();
    await dropSchema(schema);
  });

  it('two replicas get the same click at once: the listener runs once, both answer with its answer', async (ctx) => {
    if (pgSkip) return ctx.skip('PostgreSQL not reachable (required when CI=true)');
    let runs = 0;
    const slowCount = (hub: Hub) =>
      hub.action('intake.slow', async ({ toast }) => {
        runs++;
        await new Promise((r) => setTimeout(r, 300)); // the second delivery arrives while the first runs
        toast(`run ${runs}`);
      });
    const a = await s.hub(slowCount, { DATABASE_URL: url });
    const b = await s.hub(slowCount, { DATABASE_URL: url });
    const click = cardClick(s, `ev_pg_click_${Date.now()}`, { action: 'intake.slow' });
    const [ra, rb] = await Promise.all([
      post(`${a.hub.url}/webhook/card`, signPush(click, { encryptKey: s.emulator.app.encryptKey })),
      post(`${b.hub.url}/webhook/card`, signPush(click, { encryptKey: s.emulator.app.encryptKey })),
    ]);
    expect(runs).toBe(1);
    expect(ra).toEqual({ status: 200, body: { toast: { type: 'success', content: 'run 1' } } });
    expect(rb).toEqual(ra);
  });

  it('a singleton job never runs on two replicas at once', async (ctx) => {
    if (pgSkip) return ctx.skip('PostgreSQL not reachable (required when CI=true)');
    const { defineCapability } = await import('../../src/index.js');
    let running = 0;
    let overlaps = 0;
    let runs = 0;
    const sweeper = defineCapability({
      name: 'sweeper',
      jobs: [
        {
          name: 'sweep',
          everyMs: 40,
          singleton: true,
          async run() {
            running++;
            if (running > 1) overlaps++;
            await new Promise((r) => setTimeout(r, 60));
            running--;
            runs++;
          },
        },
      ],
    });
    await s.hub((h) => void h.register(sweeper), { DATABASE_URL: url });
    await s.hub((h) => void h.register(sweeper), { DATABASE_URL: url });
    await new Promise((r) => setTimeout(r, 800));
    expect(runs).toBeGreaterThan(3);
    expect(overlaps).toBe(0);
  });
});
