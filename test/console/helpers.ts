import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXPENSE_APPROVAL_CODE } from '../../src/emulator/approval/index.js';
import type { Hub } from '../../src/index.js';

/** A downstream system that answers 503 while `down.broken`. */
export async function downstream() {
  const state = { broken: true, calls: 0 };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.calls++;
      res.writeHead(state.broken ? 503 : 200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { state, url: `http://127.0.0.1:${port}/hook`, host: `127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Bob files an expense; each pending task is approved by its approver until it is APPROVED. */
export async function approvedExpense(hub: Hub, reason: string): Promise<string> {
  const form = JSON.stringify([
    { id: 'amount', type: 'amount', value: 120 },
    { id: 'reason', type: 'textarea', value: reason },
    { id: 'date', type: 'date', value: '2026-12-01T09:00:00+08:00' },
  ]);
  const code = (await hub.platform.sdk.approval.v4.instance.create({ data: { approval_code: EXPENSE_APPROVAL_CODE, user_id: 'bob', form } })).data!.instance_code!;
  for (let round = 0; round < 2; round++) {
    const inst = (await hub.platform.sdk.approval.v4.instance.get({ path: { instance_id: code } })).data!;
    const task = inst.task_list!.find((t) => t.status === 'PENDING');
    if (!task) break;
    await hub.platform.sdk.approval.v4.task.approve({ params: { user_id_type: 'open_id' }, data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, user_id: task.open_id!, task_id: task.id!, comment: 'ok' } });
  }
  return code;
}

export const approvalsSection = (url: string, host: string) => ({
  drain_every_ms: 200,
  rules: [{ name: 'erp', code: EXPENSE_APPROVAL_CODE, status: 'APPROVED', http: { url, secret_env: 'PANELS_HOOK_SECRET', allow_hosts: [host], max_attempts: 1 } }],
});

