import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createTestHub } from '../../src/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-kit-'));
const cwd = process.cwd();
afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

it("createTestHub reads the project's feishu-hub.yaml sections but never its real Feishu app", async () => {
  writeFileSync(join(dir, 'feishu-hub.yaml'), 'FEISHU_APP_ID: cli_a1b2c3d4e5f6a7b8\nFEISHU_APP_SECRET: a-real-secret\nbot:\n  builtins: false\n');
  process.chdir(dir);
  const t = await createTestHub();
  try {
    expect(t.hub.config.domain).toBe(t.emulator.url); // the sandbox, not open.feishu.cn
    // bot.builtins: false from the file (the commands left are other capabilities' sandbox demos, e.g. /incidents).
    const names = t.hub.listCommands().map((c) => c.name);
    expect(names).not.toContain('/help');
    expect(names).not.toContain('/ping');
    expect(names).toContain('/incidents');
  } finally {
    await t.close();
    process.chdir(cwd);
  }
});

it('say({ count }) waits for a listener that answers more than once', async () => {
  const t = await createTestHub({
    setup: (hub) =>
      hub.command('/twice', async ({ reply }) => {
        await reply.text('first');
        await new Promise((r) => setTimeout(r, 400)); // longer than the quiet period
        await reply.text('second');
      }),
  });
  try {
    expect((await t.say('/twice', { count: 2 })).map((r) => r.text)).toEqual(['first', 'second']);
  } finally {
    await t.close();
  }
});
