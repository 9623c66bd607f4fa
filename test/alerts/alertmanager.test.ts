import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../src/alerts/index.js';
import { DEMO_CHAT_ID } from '../../src/emulator/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { ALERTS_TOKEN, cardsIn, colourOf, titleOf, until } from './helpers.js';

/**
 * The real Prometheus Alertmanager (Debian's prometheus-alertmanager, 0.25) in front of the hub:
 * alerts posted to its API reach the hub through its webhook receiver, with its own grouping,
 * group_interval updates, repeat notifications and resolve notifications. Skipped with a message
 * when the binary is missing, except on CI (CI=true), where that must fail.
 */
const AM_NAME = 'prometheus-alertmanager';
function findAlertmanager(): string | undefined {
  if (process.env.ALERTMANAGER_BIN) return existsSync(process.env.ALERTMANAGER_BIN) ? process.env.ALERTMANAGER_BIN : undefined;
  const dirs = ['/usr/bin', ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  return dirs.map((d) => join(d, AM_NAME)).find((p) => existsSync(p));
}
const AM_BIN = findAlertmanager();
const INSTALL = `apt-get install ${AM_NAME}`;

if (!AM_BIN) {
  if (process.env.CI === 'true') {
    describe('Alertmanager 0.25 → hub (real binary)', () => {
      it(`needs ${AM_NAME}`, () => {
        throw new Error(`${AM_NAME} is missing and CI=true: install it (${INSTALL}; .ci/run does) to run the Alertmanager tests`);
      });
    });
  } else {
    console.warn(`[alertmanager.test] ${AM_NAME} not installed: ${INSTALL} (skipping the real-Alertmanager tests)`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1 (closed again before Alertmanager takes it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const GROUP_A = { alertname: 'AmCheckout', service: 'checkout' };
const GROUP_B = { alertname: 'AmQueue', service: 'queue' };

describe.skipIf(!AM_BIN)('Alertmanager 0.25 → hub (real binary): one card per group, updated in place', () => {
  let t: TestHub;
  let am: ChildProcess | undefined;
  let amUrl = '';
  let amLog = '';
  let dir = '';
  /**
   * Set when the first alerts are posted: recent, so Alertmanager waits group_wait for the group
   * (an alert older than group_wait is sent at once, which could split the first two).
   */
  let startsAt = '';
  const alertA = (instance: string, endsAt?: string) => ({
    labels: { ...GROUP_A, instance, severity: 'critical' },
    annotations: { summary: `checkout latency high on ${instance}` },
    startsAt,
    ...(endsAt ? { endsAt } : {}),
    generatorURL: `http://prometheus.example.com/graph?g0.expr=latency&instance=${instance}`,
  });
  const alertB = (instance: string) => ({
    labels: { ...GROUP_B, instance, severity: 'warning' },
    annotations: { summary: `queue backlog on ${instance}` },
    startsAt,
    generatorURL: 'http://prometheus.example.com/graph?g0.expr=backlog',
  });

  /** POST /api/v2/alerts on Alertmanager. */
  const postToAm = async (alerts: unknown[]) => {
    const res = await fetch(`${amUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    if (res.status !== 200) throw new Error(`Alertmanager refused the alerts: HTTP ${res.status} ${await res.text()}`);
  };
  /** A counter of Alertmanager's own /metrics (summed over the label sets that contain `labels`). */
  const amMetric = async (name: string, labels = 'integration="webhook"') => {
    const text = await (await fetch(`${amUrl}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) && l.includes(labels))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  };
  const botMessages = (chatId = t.chatId) => t.messages(chatId).filter((m) => m.sender.sender_type === 'app' && !m.deleted);
  const cardsOf = (name: string, chatId = t.chatId) => cardsIn(t, chatId).filter((m) => titleOf(m.card).includes(name));
  const cardNow = (messageId: string) => JSON.parse(t.emulator.state.messages.get(messageId)!.content) as Record<string, any>;
  const incidentOf = async (name: string) => (await t.hub.alerts.incidents()).find((i) => i.title.startsWith(name));
  const warRoom = () => [...t.emulator.state.chats.values()].find((c) => c.name.includes(GROUP_A.alertname));
  const settle = async () => {
    await sleep(300);
    await t.hub.alerts.settled();
  };
  /** Runs `fn`; on failure adds Alertmanager's log (it says why a notification failed). */
  const withAmLog = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      (err as Error).message += `\n--- Alertmanager log (last 3000 chars) ---\n${amLog.slice(-3000)}`;
      throw err;
    }
  };

  let cardA = '';
  let botCount = 0;

  beforeAll(async () => {
    process.env.ALERTS_TEST_TOKEN = ALERTS_TOKEN;
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    t = await createTestHub({
      sections: {
        alerts: {
          sources: { alertmanager: { credentials: [{ token_env: 'ALERTS_TEST_TOKEN' }] } },
          routes: [{ name: 'am', chats: [DEMO_CHAT_ID], war_room: 'auto', matchers: [`alertname="${GROUP_A.alertname}"`] }],
          default_chat: DEMO_CHAT_ID,
          alertmanager_url: amUrl,
          alertmanager_silences: true,
          card_update_every_ms: 200,
          poll_every_ms: 100,
        },
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'feishu-hub-am-'));
    // JSON is YAML: no quoting surprises in the URL or the token.
    const config = {
      route: { receiver: 'hub', group_by: ['alertname', 'service'], group_wait: '1s', group_interval: '2s', repeat_interval: '4s' },
      receivers: [
        {
          name: 'hub',
          webhook_configs: [{ url: `${t.hub.url}/alerts/alertmanager`, send_resolved: true, http_config: { authorization: { type: 'Bearer', credentials: ALERTS_TOKEN } } }],
        },
      ],
    };
    writeFileSync(join(dir, 'alertmanager.yml'), JSON.stringify(config, null, 2));
    am = spawn(AM_BIN!, [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=debug'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (b: Buffer) => void (amLog = (amLog + b.toString()).slice(-200_000));
    am.stdout!.on('data', collect);
    am.stderr!.on('data', collect);
    let exited: string | undefined;
    am.on('exit', (code, signal) => (exited = `exited (${code ?? signal})`));
    am.on('error', (err) => (exited = `could not start (${err.message})`));
    await until(
      async () => {
        if (exited) throw new Error(`Alertmanager ${exited} before it was ready:\n${amLog.slice(-3000)}`);
        return (await fetch(`${amUrl}/-/ready`).then((r) => r.status, () => 0)) === 200;
      },
      15_000,
      `Alertmanager ready at ${amUrl}/-/ready`,
    );
  });

  afterAll(async () => {
    if (am && am.exitCode === null && am.signalCode === null) {
      const gone = new Promise((r) => am!.once('exit', r));
      am.kill('SIGTERM');
      await Promise.race([gone, sleep(5000)]);
      if (am.exitCode === null && am.signalCode === null) am.kill('SIGKILL');
    }
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    delete process.env.ALERTS_TEST_TOKEN;
  });

  it('two alerts of one group → one card, [FIRING:2]; our fingerprint is Alertmanager\'s', { timeout: 20_000 }, () =>
    withAmLog(async () => {
      startsAt = new Date().toISOString();
      await postToAm([alertA('api-1'), alertA('api-2')]);
      const card = await until(() => cardsOf(GROUP_A.alertname)[0], 12_000, 'the group\'s card in the demo chat');
      cardA = card.message_id;
      expect(titleOf(card.card)).toBe('[FIRING:2] AmCheckout (service=checkout)');
      expect(colourOf(card.card)).toBe('red');
      // The route's war_room: auto opens a chat named after the incident, with the card in it too.
      const room = await until(() => warRoom(), 10_000, 'the war room chat');
      expect(room.chat_id).not.toBe(t.chatId);
      expect(room.name).toMatch(/^\[Critical\] AmCheckout/);
      const roomCard = await until(() => cardsOf(GROUP_A.alertname, room.chat_id)[0], 10_000, 'the card in the war room');
      expect(titleOf(roomCard.card)).toBe('[FIRING:2] AmCheckout (service=checkout)');
      await settle();
      expect(cardsOf(GROUP_A.alertname)).toHaveLength(1);

      // Alertmanager's own fingerprints (GET /api/v2/alerts) are Prometheus' LabelSet.Fingerprint(): ours must agree.
      const listed = (await (await fetch(`${amUrl}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${GROUP_A.alertname}"`)}`)).json()) as { fingerprint: string; labels: Record<string, string> }[];
      expect(listed).toHaveLength(2);
      const incident = (await incidentOf(GROUP_A.alertname))!;
      const timeline = (await t.hub.alerts.timeline(incident.id)).filter((e) => e.kind === 'alert_firing').map((e) => e.text).join('\n');
      for (const a of listed) {
        expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
        expect(fingerprintOf(a.labels)).toBe(a.fingerprint);
        expect(timeline).toContain(`[${a.fingerprint}]`); // what the hub stored for the occurrence
      }
    }));

  it('a third alert joins the group → the same message now says [FIRING:3], no new message', { timeout: 20_000 }, () =>
    withAmLog(async () => {
      const before = botMessages().length;
      await postToAm([alertA('api-3')]);
      await until(() => titleOf(cardNow(cardA)).startsWith('[FIRING:3]'), 12_000, 'the card to say FIRING:3 (after group_interval)');
      expect(titleOf(cardNow(cardA))).toBe('[FIRING:3] AmCheckout (service=checkout)');
      await settle();
      expect(cardsOf(GROUP_A.alertname).map((m) => m.message_id)).toEqual([cardA]);
      expect(botMessages()).toHaveLength(before);
      expect((await incidentOf(GROUP_A.alertname))!.firing).toBe(3);
    }));

  it('past repeat_interval Alertmanager re-sends the group: still one card, no new bot message', { timeout: 25_000 }, () =>
    withAmLog(async () => {
      await settle();
      botCount = botMessages().length;
      const sent = await amMetric('alertmanager_notifications_total');
      expect(sent).toBeGreaterThanOrEqual(2); // the first notification and the FIRING:3 update
      const version = (await incidentOf(GROUP_A.alertname))!.version;
      // Nothing changed in the group since FIRING:3, so the next notification is a repeat (and maybe one more).
      await until(async () => (await amMetric('alertmanager_notifications_total')) >= sent + 1, 15_000, 'Alertmanager\'s repeat notification');
      await settle();
      expect(await amMetric('alertmanager_notifications_failed_total')).toBe(0); // the hub answered each one with 200
      expect(cardsOf(GROUP_A.alertname).map((m) => m.message_id)).toEqual([cardA]);
      expect(botMessages()).toHaveLength(botCount);
      expect(titleOf(cardNow(cardA))).toBe('[FIRING:3] AmCheckout (service=checkout)');
      expect((await incidentOf(GROUP_A.alertname))!.version).toBe(version); // the repeat was a no-op, not even an update
    }));

  it('a second group (another alertname) → its own card', { timeout: 20_000 }, () =>
    withAmLog(async () => {
      await postToAm([alertB('mq-1')]);
      const card = await until(() => cardsOf(GROUP_B.alertname)[0], 12_000, 'the second group\'s card');
      expect(card.message_id).not.toBe(cardA);
      expect(titleOf(card.card)).toBe('[FIRING:1] AmQueue (service=queue)');
      expect(colourOf(card.card)).toBe('orange');
      await settle();
      expect(cardsOf(GROUP_B.alertname)).toHaveLength(1);
      expect(cardsOf(GROUP_A.alertname).map((m) => m.message_id)).toEqual([cardA]);
      expect(botMessages()).toHaveLength(botCount + 1);
      const incidents = await t.hub.alerts.incidents();
      expect(incidents.filter((i) => i.title.startsWith('AmCheckout') || i.title.startsWith('AmQueue'))).toHaveLength(2);
    }));

  it('Silence on the card creates the silence in Alertmanager, for the group\'s labels, as the clicker', { timeout: 20_000 }, () =>
    withAmLog(async () => {
      const card = cardsOf(GROUP_B.alertname)[0];
      const incident = (await t.hub.alerts.incidents()).find((i) => i.title.startsWith(GROUP_B.alertname))!;
      const res = (await (await fetch(`${t.emulator.url}/__emulator/messages/${card.message_id}/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operator: t.users.bob.open_id, tag: 'select_static', option: '4h', value: { action: 'alerts.silence', incident: incident.id } }) })).json()) as { toast: { content: string } };
      expect(res.toast.content).toMatch(/^Silenced in Alertmanager for 4h \(silence [0-9a-f-]+\)\.$/);
      const silences = (await (await fetch(`${amUrl}/api/v2/silences`)).json()) as { id: string; status: { state: string }; createdBy: string; matchers: { name: string; value: string }[]; endsAt: string }[];
      const ours = silences.find((s) => res.toast.content.includes(s.id))!;
      expect(ours.status.state).toBe('active');
      expect(ours.createdBy).toContain('李博');
      expect(Object.fromEntries(ours.matchers.map((m) => [m.name, m.value]))).toMatchObject({ alertname: GROUP_B.alertname, service: 'queue' });
      expect(Date.parse(ours.endsAt) - Date.now()).toBeGreaterThan(3.9 * 3600_000);
      // Alertmanager itself now reports the group's alert as silenced.
      await until(async () => {
        const now = (await (await fetch(`${amUrl}/api/v2/alerts?silenced=true&filter=${encodeURIComponent(`alertname="${GROUP_B.alertname}"`)}`)).json()) as { status: { state: string; silencedBy: string[] } }[];
        return now.some((a) => a.status.silencedBy.includes(ours.id));
      }, 10_000, 'Alertmanager to mark the alert silenced');
      expect((await t.hub.alerts.timeline(incident.id)).find((e) => e.kind === 'silenced_upstream')).toMatchObject({ actor: t.users.bob.open_id, text: expect.stringContaining(ours.id) });
    }));

  it('all alerts of the first group resolve → that card turns [RESOLVED], green; the incident is resolved', { timeout: 20_000 }, () =>
    withAmLog(async () => {
      const endsAt = new Date(Math.max(Date.now() - 1000, Date.parse(startsAt) + 1)).toISOString(); // in the past: resolved
      await postToAm([alertA('api-1', endsAt), alertA('api-2', endsAt), alertA('api-3', endsAt)]);
      const resolved = await until(() => {
        const c = cardNow(cardA);
        return titleOf(c).startsWith('[RESOLVED]') && c;
      }, 12_000, 'the resolved card');
      expect(titleOf(resolved)).toBe('[RESOLVED] AmCheckout (service=checkout)');
      expect(colourOf(resolved)).toBe('green');
      await settle();
      expect(await incidentOf(GROUP_A.alertname)).toMatchObject({ status: 'resolved', firing: 0, resolvedAlerts: 3 });
      expect(cardsOf(GROUP_A.alertname).map((m) => m.message_id)).toEqual([cardA]);
      // The other group is untouched.
      expect(titleOf(cardsOf(GROUP_B.alertname)[0].card)).toBe('[FIRING:1] AmQueue (service=queue)');
      expect((await incidentOf(GROUP_B.alertname))!.status).not.toBe('resolved');
    }));

  it('war_room: auto → a war room named after the incident got its card, and is renamed "[Resolved] …"', { timeout: 20_000 }, () =>
    withAmLog(async () => {
      const incident = (await incidentOf(GROUP_A.alertname))!;
      const room = await until(() => warRoom(), 5_000, 'the war room chat');
      expect(incident.warRoomChatId).toBe(room.chat_id);
      expect(room.chat_id).not.toBe(t.chatId);
      const roomCards = await until(() => cardsOf(GROUP_A.alertname, room.chat_id).length > 0 && cardsOf(GROUP_A.alertname, room.chat_id), 5_000, 'the card in the war room');
      expect(roomCards).toHaveLength(1);
      expect(roomCards[0].message_id).not.toBe(cardA);
      await until(() => titleOf(cardNow(roomCards[0].message_id)).startsWith('[RESOLVED]'), 10_000, 'the war room\'s card to resolve');
      await until(() => t.emulator.state.chats.get(room.chat_id)!.name.startsWith('[Resolved]'), 10_000, 'the war room to be renamed [Resolved]');
      expect(t.emulator.state.chats.get(room.chat_id)!.name).toContain(GROUP_A.alertname);
      // The second group's route has no war room.
      expect([...t.emulator.state.chats.values()].filter((c) => c.name.includes(GROUP_B.alertname))).toHaveLength(0);
      expect((await incidentOf(GROUP_A.alertname))!.warRoomState).toBe('resolved');
    }));
});
