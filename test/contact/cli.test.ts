import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, sandboxServe } from '../cli/process.js';

/**
 * The sandbox as a newcomer meets it: `feishu-hub serve` with no config syncs the local Feishu's
 * directory at start; `feishu-hub directory status / find / sync` (other processes, same folder)
 * read and refresh it.
 */
describe('feishu-hub directory against `feishu-hub serve` (sandbox)', () => {
  const sandbox = sandboxServe('feishu-hub-directory-cli-');
  const { cli } = sandbox;
  beforeAll(sandbox.start, 40_000);
  afterAll(sandbox.stop);

  it('status and find show the directory the hub synced at start; the banner says how', async () => {
    await eventually(() => sandbox.hub.output().includes('npx feishu-hub directory find alice') || undefined, 10_000, 'the directory line of the banner');
    const status = await cli(['directory', 'status', '--json']);
    expect(status.code, status.output).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ enabled: true, users: 5, departments: 4 });
    const found = await cli(['directory', 'find', 'alice', '--json']);
    expect(found.code, found.output).toBe(0);
    expect(JSON.parse(found.stdout)).toEqual([expect.objectContaining({ user_id: 'alice', email: 'alice@example.com', en_name: 'Alice Zhang', status: 'active' })]);
    const table = await cli(['directory', 'find', 'SRE']);
    expect(table.code).toBe(1); // nobody is named SRE (a job title is not a name)
    const bob = await cli(['directory', 'find', 'bob@example.com']);
    expect(bob.stdout).toMatch(/NAME\s+EN NAME\s+EMAIL\s+DEPARTMENTS/);
    expect(bob.stdout).toMatch(/Bob Li\s+bob@example\.com\s+SRE/);
    const human = await cli(['directory', 'status']);
    expect(human.stdout).toMatch(/people\s+5/);
    expect(human.stdout).toMatch(/last full sync\s+\d{4}-\d\d-\d\d/);
  });

  it('sync refreshes the store from the local Feishu: a person added there is found after it; a summary table', async () => {
    const res = await fetch(`${sandbox.emulatorUrl}/__emulator/directory/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ users: 120, departments: 12, seed: 'cli' }) });
    expect(res.ok).toBe(true);
    const synced = await cli(['directory', 'sync']);
    expect(synced.code, synced.output).toBe(0);
    expect(synced.stdout).toMatch(/full sync .*: 120 people in 12 departments, \d+ API calls/);
    expect(synced.stdout).toMatch(/CREATED\s+UPDATED\s+DELETED/);
    expect(synced.stdout).toMatch(/departments\s+\d+\s+\d+\s+[1-9]/); // the seeded four are gone (replaced)
    const json = await cli(['directory', 'sync', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ users: 120, departments: 12, created: { users: 0 }, updated: { users: 0 }, deleted: { users: 0 } });
    const status = JSON.parse((await cli(['directory', 'status', '--json'])).stdout);
    expect(status).toMatchObject({ users: 120, departments: 12 });
  }, 60_000);
});
