/**
 * The emulator of bench/sync.bench.ts in a process of its own (not a benchmark: no `.bench.ts`).
 * Started with `fork('bin/run-ts.js', ['bench/sync-emulator.ts'])`; talks over the IPC channel:
 *   → { type: 'ready', url, pid }                         once it listens (127.0.0.1, any free port)
 *   ← { type: 'cpu', id }        → { type: 'cpu', id, user, system, elu }   its CPU time so far (µs) and event-loop use
 *   ← { type: 'watch', id, app_token, table_id, record_id, field, value }
 *                                → { type: 'seen', id }    as soon as the stored cell equals `value`
 *                                                          (checked in-process every millisecond: reading
 *                                                          the record from outside the hub, without going
 *                                                          through the rate-limited API)
 *   ← { type: 'profile', id, action: 'start' | 'stop', path }   → { type: 'profiled', id }
 *                                a CPU profile of this process (node:inspector), written to `path` on stop
 *   ← { type: 'close' }          stops and exits
 * It exits when the parent goes away. The hub under test gets only its URL, as a real deployment
 * gets Feishu's.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { startEmulator } from '../src/emulator/index.js';
import { BitableState } from '../src/emulator/bitable/index.js';

type Msg =
  | { type: 'cpu'; id: number }
  | { type: 'watch'; id: number; app_token: string; table_id: string; record_id: string; field: string; value: unknown }
  | { type: 'profile'; id: number; action: 'start' | 'stop'; path?: string }
  | { type: 'close' };

const send = (m: unknown) => process.send?.(m);
const emu = await startEmulator({ port: 0, host: '127.0.0.1' });
const state = emu.context.slice(BitableState);

const watches = new Map<number, Extract<Msg, { type: 'watch' }>>();
let timer: NodeJS.Timeout | undefined;
const check = () => {
  for (const [id, w] of watches) {
    const t = state.apps.get(w.app_token)?.tables.find((x) => x.table_id === w.table_id);
    const f = t?.fields.find((x) => x.field_name === w.field);
    const rec = f && t?.records.find((r) => r.record_id === w.record_id);
    if (rec && JSON.stringify(rec.fields[f.field_id]) === JSON.stringify(w.value)) {
      watches.delete(id);
      send({ type: 'seen', id });
    }
  }
  timer = watches.size ? setTimeout(check, 1) : undefined;
};

process.on('message', (m: Msg) => {
  if (m.type === 'cpu') {
    const u = process.cpuUsage();
    send({ type: 'cpu', id: m.id, user: u.user, system: u.system, elu: performance.eventLoopUtilization().utilization });
  } else if (m.type === 'watch') {
    watches.set(m.id, m);
    if (!timer) check();
  } else if (m.type === 'profile') {
    void profile(m.action, m.path).then(() => send({ type: 'profiled', id: m.id }));
  } else if (m.type === 'close') {
    void emu.close().finally(() => process.exit(0));
  }
});
let session: Session | undefined;
async function profile(action: 'start' | 'stop', path?: string): Promise<void> {
  if (action === 'start') {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    return;
  }
  if (!session) return;
  const { profile } = await session.post('Profiler.stop');
  if (path) writeFileSync(path, JSON.stringify(profile));
  session.disconnect();
  session = undefined;
}

process.on('disconnect', () => process.exit(0));
send({ type: 'ready', url: emu.url, pid: process.pid });
