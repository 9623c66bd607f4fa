import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../cli/process.js';
import { Jar, loginAs, ssoTestHub } from '../sso/helpers.js';
import { text } from '../../src/bot/index.js';

const deployCard = (title: string) => ({
  config: { update_multi: true },
  header: { title: { tag: 'plain_text', content: title }, template: 'blue' },
  elements: [{ tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: 'Approve' }, type: 'primary', value: { action: 'overview.approve' } }] }],
});

/** `name{labels} value` lines of a Prometheus text exposition, as [labels, value] for one metric name. */
function samples(exposition: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line)!;
    const labels = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    out.push({ labels, value: Number(m[2]) });
  }
  return out;
}
const sum = (xs: { value: number }[]) => xs.reduce((n, x) => n + x.value, 0);

/**
 * The Overview panel and /metrics over real HTTP, after traffic through a sandbox hub: a message
 * and its reply, a card and a click on it, a send Feishu refuses (fault injection, code 230002).
 */
describe('the overview and /metrics', () => {
  let t: Awaited<ReturnType<typeof ssoTestHub>>;
  let hub: string;
  const alice = new Jar();

  beforeAll(async () => {
    t = await ssoTestHub({
      setup: (h) => {
        h.command('/ping', ({ reply }) => reply.text('pong'));
        h.command('/deploy', ({ reply }) => reply.card(deployCard('Deploy api?')));
        h.action('overview.approve', async ({ toast, updateCard }) => {
          toast('approved');
          await updateCard(deployCard('Approved'));
        });
      },
    });
    hub = t.hub.url!;
    await loginAs(alice, hub, t.users.alice.open_id, '/console');

    expect((await t.say('/ping'))[0]!.text).toBe('pong');
    const [card] = await t.say('/deploy');
    await t.click(card!.messageId, { action: 'overview.approve' }, { as: 'carol' });
    await fetch(`${t.emulator.url}/__emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method: 'POST', path: '/open-apis/im/v1/messages', status: 400, code: 230002, msg: 'Bot/User can NOT be out of the chat.' }) });
    try {
      const err = await t.hub.messenger.send(t.chatId, text('nobody will read this')).catch((e: unknown) => e);
      expect((err as { code?: number }).code).toBe(230002);
    } finally {
      await fetch(`${t.emulator.url}/__emulator/faults`, { method: 'DELETE' });
    }
    // Both commands' events are done (their listeners ran to the end).
    await eventually(async () => ((await t.hub.inbox!.stats()).done >= 2 ? true : undefined), 10_000, 'the events to be done');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('/metrics has HELP and TYPE lines and non-zero counters under feishu_hub_ names', async () => {
    const res = await fetch(`${hub}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const body = await res.text();
    for (const [name, type] of [
      ['feishu_hub_api_calls_total', 'counter'],
      ['feishu_hub_api_retries_total', 'counter'],
      ['feishu_hub_token_cache_lookups_total', 'counter'],
      ['feishu_hub_token_fetches_total', 'counter'],
      ['feishu_hub_token_fetch_failures_total', 'counter'],
      ['feishu_hub_event_latency_seconds', 'histogram'],
      ['feishu_hub_events_processed_total', 'counter'],
      ['feishu_hub_card_validations_total', 'counter'],
      ['feishu_hub_inbox_events', 'gauge'],
      ['feishu_hub_inbox_oldest_pending_age_seconds', 'gauge'],
      ['feishu_hub_dead_letters', 'gauge'],
      ['feishu_hub_send_queue_depth', 'gauge'],
    ] as const) {
      expect(body, name).toContain(`# HELP ${name} `);
      expect(body, name).toContain(`# TYPE ${name} ${type}`);
    }
    // Every metric the hub exposes is under the prefix (no stray default-registry metrics).
    const names = [...body.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!);
    expect(names.filter((n) => !n.startsWith('feishu_hub_'))).toEqual([]);

    const reply = samples(body, 'feishu_hub_api_calls_total').filter((s) => s.labels.api === 'POST /open-apis/im/v1/messages/:id/reply' && s.labels.outcome === 'ok');
    expect(sum(reply)).toBeGreaterThanOrEqual(2); // pong and the card
    expect(sum(samples(body, 'feishu_hub_events_processed_total').filter((s) => s.labels.outcome === 'ok'))).toBeGreaterThanOrEqual(2);
    expect(sum(samples(body, 'feishu_hub_event_latency_seconds_count'))).toBeGreaterThanOrEqual(2);
    expect(sum(samples(body, 'feishu_hub_token_cache_lookups_total'))).toBeGreaterThan(0);
    expect(sum(samples(body, 'feishu_hub_token_fetches_total'))).toBeGreaterThan(0);
    // The card reply and the card the click answered with.
    expect(sum(samples(body, 'feishu_hub_card_validations_total').filter((s) => s.labels.result === 'ok'))).toBeGreaterThanOrEqual(2);
    expect(samples(body, 'feishu_hub_inbox_events').find((s) => s.labels.status === 'done')!.value).toBeGreaterThanOrEqual(2);
  });

  it('a Feishu error is counted by API and code', async () => {
    const body = await (await fetch(`${hub}/metrics`)).text();
    const refused = samples(body, 'feishu_hub_api_calls_total').filter((s) => s.labels.code === '230002');
    expect(refused).toEqual([{ labels: { api: 'POST /open-apis/im/v1/messages', outcome: 'feishu_error', code: '230002' }, value: 1 }]);
  });

  it('the overview data API answers figures consistent with /metrics, with targets and series', async () => {
    const body = await (await fetch(`${hub}/metrics`)).text();
    const res = await alice.fetch(`${hub}/console/api/panels/overview`);
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: any };

    const calls = samples(body, 'feishu_hub_api_calls_total');
    expect(data.api.calls).toBe(sum(calls));
    expect(data.api.ok).toBe(sum(calls.filter((s) => s.labels.outcome === 'ok')));
    expect(data.api.feishu_error).toBe(sum(calls.filter((s) => s.labels.outcome === 'feishu_error')));
    const send = data.apis.find((a: { api: string }) => a.api === 'POST /open-apis/im/v1/messages');
    expect(send.codes['230002']).toBe(1);
    expect(send.feishu_error).toBe(1);

    const lookups = samples(body, 'feishu_hub_token_cache_lookups_total');
    expect(data.tokens.hits + data.tokens.coalesced + data.tokens.misses).toBe(sum(lookups));
    expect(data.tokens.misses).toBe(sum(lookups.filter((s) => s.labels.result === 'miss')));
    expect(data.events.handled).toBe(sum(samples(body, 'feishu_hub_events_processed_total').filter((s) => s.labels.outcome === 'ok')));
    expect(data.cards.checked).toBe(sum(samples(body, 'feishu_hub_card_validations_total')));
    expect(data.inbox.dead).toBe(samples(body, 'feishu_hub_dead_letters')[0]!.value);

    const byId = Object.fromEntries(data.figures.map((f: { id: string }) => [f.id, f]));
    expect(Object.keys(byId)).toEqual(['api_success', 'event_p99', 'card_valid', 'token_cache_hit']);
    // One refused call out of a handful: under 99.5 %, so red.
    expect(byId.api_success.value).toBeCloseTo(data.api.ok / data.api.calls, 10);
    expect(byId.api_success.ok).toBe(false);
    expect(byId.api_success.target).toBe('> 99.5 %');
    // Events pushed by the local Feishu are done in well under 2 s.
    expect(byId.event_p99.value).toBeGreaterThan(0);
    expect(byId.event_p99.value).toBeLessThan(2);
    expect(byId.event_p99.ok).toBe(true);
    expect(byId.card_valid).toMatchObject({ value: 1, ok: true });
    expect(byId.token_cache_hit.value).toBeCloseTo((data.tokens.hits + data.tokens.coalesced) / (data.tokens.hits + data.tokens.coalesced + data.tokens.misses), 10);

    // 60 minutes of per-minute points, the current minute last and holding this traffic.
    expect(data.series.t).toHaveLength(60);
    expect(data.series.api_calls.at(-1) + data.series.api_calls.at(-2)).toBeGreaterThan(0);
    expect(data.series.events_done.at(-1) + data.series.events_done.at(-2)).toBeGreaterThanOrEqual(2);
  });

  it('the Overview is first in the nav, and uPlot is served from node_modules', async () => {
    const session = (await (await alice.fetch(`${hub}/console/api/session`)).json()) as { panels: { id: string; capability: string }[] };
    expect(session.panels[0]).toMatchObject({ id: 'overview', capability: 'console' });
    const uplot = await fetch(`${hub}/console/vendor/uplot.mjs`);
    expect(uplot.status).toBe(200);
    expect(await uplot.text()).toContain('export { uPlot as default }');
    expect((await fetch(`${hub}/console/vendor/uplot.css`)).headers.get('content-type')).toContain('text/css');
  });
});
