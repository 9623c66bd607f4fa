import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, sandboxServe } from '../cli/process.js';

/**
 * The sandbox demo as a newcomer meets it: `feishu-hub serve` with no config takes alerts with a
 * token it keeps in ./data/alerts-token; `feishu-hub alerts test` (another process, same folder)
 * posts a sample with it; the card shows in the demo group; `feishu-hub incidents` lists it.
 */
describe('feishu-hub alerts test / incidents against `feishu-hub serve` (sandbox)', () => {
  const sandbox = sandboxServe('feishu-hub-alerts-cli-');
  const { dir, cli } = sandbox;
  beforeAll(sandbox.start, 40_000);
  afterAll(sandbox.stop);

  it('the token file is made once, private, and `alerts test` uses it; the card shows in the demo group', async () => {
    const file = join(dir, 'data', 'alerts-token');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8').trim().length).toBeGreaterThanOrEqual(16);
    expect(sandbox.hub.output()).not.toContain(readFileSync(file, 'utf8').trim());
    // The banner says how to see alerts work.
    await eventually(() => sandbox.hub.output().includes('npx feishu-hub alerts test') || undefined, 10_000, 'the alerts line of the banner');

    const fired = await cli(['alerts', 'test', '--source', 'alertmanager', '--json']);
    expect(fired.code).toBe(0);
    expect(JSON.parse(fired.stdout)).toMatchObject({ http_status: 200, status: 'accepted', duplicate: false, alerts: 2 });
    const card = await eventually(async () => {
      const state = (await (await fetch(`${sandbox.emulatorUrl}/__emulator/state`)).json()) as { messages: { msg_type: string; content: string }[] };
      return state.messages.find((m) => m.msg_type === 'interactive' && m.content.includes('[FIRING:2] HighRequestLatency'));
    }, 10_000, 'the sample card in the demo group');
    expect(card.content).toContain('alerts.ack');

    const wrong = await cli(['alerts', 'test', '--token', 'not-the-right-token-000000']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('401');
  });

  it('incidents: a table for people, --json for scripts, show with the timeline', async () => {
    const table = await cli(['incidents', '--open']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+STATUS\s+SEVERITY\s+TITLE\s+FIRING\s+ACKED BY\s+OPENED$/);
    expect(table.stdout).toMatch(/#[0-9a-f]{6}\s+triggered\s+critical\s+HighRequestLatency \(service=checkout\)\s+2/);
    const list = JSON.parse((await cli(['incidents', '--json'])).stdout) as { id: string; firing: number }[];
    expect(list[0].firing).toBe(2);
    const shown = await cli(['incidents', 'show', list[0].id]);
    expect(shown.stdout).toContain('opened by alertmanager');
    expect(shown.stdout).toMatch(/alert_firing\s+firing: HighRequestLatency on checkout-1:9090/);

    // The resolve of the same sample closes it.
    expect((await cli(['alerts', 'test', '--resolve'])).code).toBe(0);
    await eventually(async () => (JSON.parse((await cli(['incidents', '--json'])).stdout) as { status: string }[])[0].status === 'resolved' || undefined, 10_000, 'the incident resolved');
    expect((await cli(['incidents', '--open'])).stdout.trim()).toBe('no open incidents');
  });
});
