import { expect } from 'vitest';
import { DirectoryState } from '../../src/emulator/directory/index.js';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import type { DirectoryChange, DirectoryDepartment, DirectoryUser } from '../../src/contact/index.js';
import type { Hub } from '../../src/index.js';

export async function control(emu: EmulatorHandle, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${emu.url}${path}`, { method, headers: body !== undefined ? { 'content-type': 'application/json' } : {}, body: body !== undefined ? JSON.stringify(body) : undefined });
  const json = await res.json().catch(() => ({}));
  if (res.status >= 400) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return { status: res.status, body: json };
}

export async function until<T>(cond: () => T | Promise<T>, ms = 10_000, what: string | (() => string) = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The emulator's directory as the hub should hold it: active people and departments, ids as open ids. */
export function emulatorDirectory(emu: EmulatorHandle) {
  const state = emu.context.slice(DirectoryState);
  const openOf = new Map(state.departments.map((d) => [d.department_id, d.open_department_id]));
  const dept = (key: string) => (key === '0' ? '0' : openOf.get(key) ?? key);
  const users = state.users
    .filter((u) => !u.resigned)
    .map((u) => ({
      open_id: u.open_id,
      union_id: u.union_id,
      user_id: u.user_id,
      name: u.name,
      en_name: u.en_name || undefined,
      email: u.email || undefined,
      mobile: u.mobile || undefined,
      department_ids: u.department_ids.map(dept).sort(),
      job_title: u.job_title || undefined,
      ...((u as { employee_no?: string }).employee_no ? { employee_no: (u as { employee_no?: string }).employee_no } : {}),
    }))
    .sort((a, b) => a.open_id.localeCompare(b.open_id));
  const departments = state.departments
    .map((d) => ({ open_department_id: d.open_department_id, department_id: d.department_id, name: d.name, parent_id: dept(d.parent_department_id), leader: d.leader_user_id }))
    .sort((a, b) => a.open_department_id.localeCompare(b.open_department_id));
  return { users, departments };
}

/** The hub's store, projected onto the same fields. */
export async function hubDirectory(hub: Hub, withEmployeeNo: Set<string>) {
  const users = (await hub.directory.users())
    .map((u: DirectoryUser) => ({
      open_id: u.open_id,
      union_id: u.union_id,
      user_id: u.user_id,
      name: u.name,
      en_name: u.en_name,
      email: u.email,
      mobile: u.mobile,
      department_ids: [...u.department_ids].sort(),
      job_title: u.job_title,
      ...(withEmployeeNo.has(u.open_id) ? { employee_no: u.employee_no } : {}),
    }))
    .sort((a, b) => a.open_id.localeCompare(b.open_id));
  const departments = (await hub.directory.departments())
    .map((d: DirectoryDepartment) => ({ open_department_id: d.open_department_id, department_id: d.department_id, name: d.name, parent_id: d.parent_id, leader: d.leader }))
    .sort((a, b) => a.open_department_id.localeCompare(b.open_department_id));
  return { users, departments };
}

/** Every person and department of the hub's store equals the emulator's. */
export async function expectEqualDirectories(hub: Hub, emu: EmulatorHandle): Promise<void> {
  const want = emulatorDirectory(emu);
  const got = await hubDirectory(hub, new Set(want.users.filter((u) => 'employee_no' in u).map((u) => u.open_id)));
  const strip = <T extends object>(rows: T[]) => rows.map((r) => JSON.parse(JSON.stringify(r)) as T);
  expect(got.departments.length).toBe(want.departments.length);
  expect(got.users.length).toBe(want.users.length);
  expect(strip(got.departments)).toEqual(strip(want.departments));
  expect(strip(got.users)).toEqual(strip(want.users));
}

/** Whether the store equals the emulator now (for waiting on events). */
export async function directoriesEqual(hub: Hub, emu: EmulatorHandle): Promise<boolean> {
  try {
    await expectEqualDirectories(hub, emu);
    return true;
  } catch {
    return false;
  }
}

/** Records every hook call. */
export function recordHooks(hub: Hub) {
  const calls: DirectoryChange[] = [];
  for (const e of ['user.created', 'user.updated', 'user.deleted', 'department.created', 'department.updated', 'department.deleted'] as const) hub.directory.on(e, (c) => void calls.push(c));
  return calls;
}
