import { createHash } from 'node:crypto';
import { DEFAULT_TENANT_KEY } from '../options.js';
import type { DepartmentRecord, UserRecord } from '../types.js';

/** Deterministic hex from a name, so the seeded ids are the same in every run, doc and test. */
const stable = (seed: string, n: number) => createHash('sha256').update(seed).digest('hex').slice(0, n);

export function seedDepartments(): DepartmentRecord[] {
  const dept = (key: string, name: string, parent: string, leader?: string): DepartmentRecord => ({
    open_department_id: `od-${stable(`dept:${key}`, 32)}`,
    department_id: key,
    name,
    parent_department_id: parent,
    // leader_user_id holds the leader's open_id (same derivation as seedUsers).
    ...(leader ? { leader_user_id: `ou_${stable(`open:${leader}`, 32)}` } : {}),
  });
  const eng = dept('engineering', 'Engineering', '0', 'alice');
  return [
    eng,
    dept('sre', 'SRE', eng.department_id, 'bob'),
    dept('sales', 'Sales', '0', 'dave'),
    dept('finance', 'Finance', '0', 'erin'),
  ];
}

const people: [key: string, name: string, enName: string, dept: string, title: string, resigned?: boolean][] = [
  ['alice', '张爱丽', 'Alice Zhang', 'engineering', 'Engineering Manager'],
  ['bob', '李博', 'Bob Li', 'sre', 'SRE'],
  ['carol', '王卡罗', 'Carol Wang', 'sre', 'SRE'],
  ['dave', '陈大卫', 'Dave Chen', 'sales', 'Account Executive'],
  ['erin', '刘艾琳', 'Erin Liu', 'finance', 'Controller'],
  ['frank', '赵弗兰', 'Frank Zhao', 'engineering', 'Former Engineer', true],
];

export function seedUsers(tenantKey = DEFAULT_TENANT_KEY): UserRecord[] {
  return people.map(([key, name, enName, dept, title, resigned], i) => ({
    open_id: `ou_${stable(`open:${key}`, 32)}`,
    union_id: `on_${stable(`union:${key}`, 32)}`,
    user_id: key,
    name,
    en_name: enName,
    email: `${key}@example.com`,
    mobile: `+86138000000${String(i + 1).padStart(2, '0')}`,
    department_ids: [dept],
    job_title: title,
    tenant_key: tenantKey,
    ...(resigned ? { resigned: true } : {}),
  }));
}
