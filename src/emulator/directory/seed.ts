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

// ---- a generated organisation (POST /__emulator/directory/seed) ------------------------------

/** A small fast PRNG (sfc32) seeded from a string: the same seed gives the same organisation. */
function prng(seed: string): () => number {
  const h = createHash('sha256').update(`directory-seed:${seed}`).digest();
  let a = h.readUInt32LE(0), b = h.readUInt32LE(4), c = h.readUInt32LE(8), d = h.readUInt32LE(12);
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const r = (t + d) | 0;
    c = (c + r) | 0;
    return (r >>> 0) / 4294967296;
  };
}

const AREAS = ['Engineering', 'Product', 'Design', 'Sales', 'Marketing', 'Finance', 'Operations', 'People', 'Legal', 'Support', 'Research', 'Security', 'Data', 'Infrastructure', 'Customer Success', 'Procurement'];
const TEAM_WORDS = ['Platform', 'Payments', 'Mobile', 'Web', 'Search', 'Growth', 'Billing', 'Identity', 'Messaging', 'Storage', 'Analytics', 'Logistics', 'Partners', 'Enterprise', 'Retail', 'Compliance', 'Recruiting', 'Training', 'Field', 'Channel', 'Brand', 'Content', 'Quality', 'Reliability', 'Tooling', 'Risk', 'Treasury', 'Audit', 'Facilities', 'Travel'];
const TEAM_KINDS = ['Team', 'Group', 'Backend', 'Frontend', 'Core', 'Services', 'East', 'West', 'North', 'South', 'Ops', 'Lab'];
const SURNAMES: [zh: string, en: string][] = [['王', 'Wang'], ['李', 'Li'], ['张', 'Zhang'], ['刘', 'Liu'], ['陈', 'Chen'], ['杨', 'Yang'], ['黄', 'Huang'], ['赵', 'Zhao'], ['吴', 'Wu'], ['周', 'Zhou'], ['徐', 'Xu'], ['孙', 'Sun'], ['马', 'Ma'], ['朱', 'Zhu'], ['胡', 'Hu'], ['郭', 'Guo'], ['何', 'He'], ['高', 'Gao'], ['林', 'Lin'], ['罗', 'Luo']];
const GIVEN: [zh: string, en: string][] = [['伟', 'Wei'], ['芳', 'Fang'], ['娜', 'Na'], ['敏', 'Min'], ['静', 'Jing'], ['磊', 'Lei'], ['强', 'Qiang'], ['洋', 'Yang'], ['艳', 'Yan'], ['勇', 'Yong'], ['军', 'Jun'], ['杰', 'Jie'], ['娟', 'Juan'], ['涛', 'Tao'], ['明', 'Ming'], ['超', 'Chao'], ['秀', 'Xiu'], ['霞', 'Xia'], ['平', 'Ping'], ['刚', 'Gang'], ['桂', 'Gui'], ['华', 'Hua'], ['丹', 'Dan'], ['萍', 'Ping'], ['鑫', 'Xin'], ['宇', 'Yu'], ['浩', 'Hao'], ['婷', 'Ting'], ['雪', 'Xue'], ['琳', 'Lin']];
const TITLES = ['Engineer', 'Senior Engineer', 'Staff Engineer', 'Product Manager', 'Designer', 'Analyst', 'Account Executive', 'Specialist', 'Coordinator', 'Consultant', 'Accountant', 'Recruiter', 'Support Engineer', 'Researcher', 'Architect'];

export interface GeneratedOrg {
  users: (UserRecord & { employee_no?: string })[];
  departments: (DepartmentRecord & { order?: number })[];
}

/**
 * A deterministic organisation of `userCount` people in `deptCount` departments: a tree (up to five
 * levels under the root), everyone in one department and about one in twelve in a second, each
 * department led by its first member, unique emails and mobiles. The first five people are the
 * default seed's Alice, Bob, Carol, Dave and Erin (same ids), so what other products seeded with
 * them (approval definitions, the demo chat) keeps working.
 */
export function generateOrg(userCount: number, deptCount: number, seed: string, tenantKey = DEFAULT_TENANT_KEY): GeneratedOrg {
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const departments: (DepartmentRecord & { order?: number })[] = [];
  const depth: number[] = [];
  const names = new Set<string>();
  const top = Math.min(deptCount, Math.max(1, Math.min(AREAS.length, Math.round(Math.sqrt(deptCount) / 2) + 2)));
  for (let i = 0; i < deptCount; i++) {
    let parent = ROOT_KEY;
    let level = 1;
    if (i >= top) {
      // A parent among the departments so far, so that no department is deeper than five levels.
      for (let tries = 0; tries < 20; tries++) {
        const p = Math.floor(rand() * i);
        if (depth[p]! < 5 || tries === 19) {
          parent = departments[p]!.department_id;
          level = depth[p]! + 1;
          break;
        }
      }
    }
    let name = i < top ? AREAS[i]! : `${pick(TEAM_WORDS)} ${pick(TEAM_KINDS)}`;
    for (let n = 2; names.has(name); n++) name = `${name.replace(/ \d+$/, '')} ${n}`;
    names.add(name);
    depth.push(level);
    departments.push({
      open_department_id: `od-${stable(`dept:${seed}:${i}`, 32)}`,
      department_id: `D${String(i + 1).padStart(4, '0')}`,
      name,
      parent_department_id: parent,
      order: (i + 1) * 100,
    });
  }

  const defaults = seedUsers(tenantKey).filter((u) => !u.resigned);
  const users: (UserRecord & { employee_no?: string })[] = [];
  for (let i = 0; i < userCount; i++) {
    const primary = deptCount === 0 ? ROOT_KEY : i < deptCount ? departments[i]!.department_id : departments[Math.floor(rand() * deptCount)]!.department_id;
    const deptIds = [primary];
    if (deptCount > 1 && rand() < 1 / 12) {
      const second = departments[Math.floor(rand() * deptCount)]!.department_id;
      if (second !== primary) deptIds.push(second);
    }
    const [surZh, surEn] = pick(SURNAMES);
    const [givZh, givEn] = pick(GIVEN);
    const [giv2Zh, giv2En] = pick(GIVEN);
    const title = pick(TITLES);
    const known = defaults[i];
    if (known) {
      users.push({ ...known, department_ids: deptIds, employee_no: String(i + 1).padStart(5, '0') });
      continue;
    }
    const n = String(i + 1).padStart(5, '0');
    users.push({
      open_id: `ou_${stable(`open:${seed}:${i}`, 32)}`,
      union_id: `on_${stable(`union:${seed}:${i}`, 32)}`,
      user_id: `u${n}`,
      name: `${surZh}${givZh}${giv2Zh}`,
      en_name: `${givEn}${giv2En.toLowerCase()} ${surEn}`,
      email: `${givEn}${giv2En}.${surEn}.${n}@example.com`.toLowerCase(),
      mobile: `+86139${String(i + 1).padStart(8, '0')}`,
      department_ids: deptIds,
      job_title: title,
      tenant_key: tenantKey,
      employee_no: n,
    });
  }
  // Each department is led by its first member.
  const byKey = new Map(departments.map((d) => [d.department_id, d]));
  for (const u of users) {
    for (const k of u.department_ids) {
      const d = byKey.get(k);
      if (d && !d.leader_user_id) d.leader_user_id = u.open_id;
    }
  }
  return { users, departments };
}

const ROOT_KEY = '0';
