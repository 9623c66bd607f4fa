import { parseCapabilityConfig, type Capability, type ScopeNeed } from '../capability/index.js';
import type { HubConfig } from '../config/index.js';
import type { Check } from './types.js';

const TIMEOUT_MS = 5000;

/** One scope of the least set: what it opens for which capability. */
export interface LeastScope {
  scope: string;
  /** Needs an admin's approval in the tenant's admin console. */
  sensitive: boolean;
  /** The APIs it opens among those the enabled capabilities call. */
  apis: string[];
  /** `capability: why`, for each need it covers. */
  for: string[];
}

/** An API the app cannot call: Feishu answered 99991672 to its probe. */
export interface MissingScope {
  api: string;
  /** The scope of the least set to request for it. */
  request: string;
  /** Any one of these opens it (the platform's permission_violations when it named them). */
  anyOf: string[];
  sensitive: boolean;
  /** What breaks without it: `capability: why`. */
  breaks: string[];
}

export interface ScopeReport {
  /** The fewest, narrowest scopes that open every API the enabled capabilities call. */
  least: LeastScope[];
  missing: MissingScope[];
  /** APIs whose scopes could not be probed (no probe, or no answer). */
  unchecked: { api: string; reason: string }[];
  /** Granted but unused scopes: only when the platform can say what is granted (it cannot today, see `unusedNote`). */
  unused?: string[];
  unusedNote?: string;
}

/** A need of the enabled capabilities, merged by API. */
interface Need {
  api: string;
  scopes: string[];
  sensitive: boolean;
  breaks: string[];
  probe?: ScopeNeed['probe'];
}

/** The APIs the enabled capabilities call with a scope, each once (a capability whose config does not load adds nothing). */
export function neededApis(capabilities: readonly Capability<any>[], config: HubConfig): Need[] {
  const byApi = new Map<string, Need>();
  for (const cap of capabilities) {
    if (!cap.scopes?.length) continue;
    const { value, problems } = parseCapabilityConfig(cap, config);
    if (problems.length) continue;
    for (const e of cap.scopes) {
      if (!e.scopes.length || (e.enabled && !e.enabled(value))) continue;
      const need = byApi.get(e.api) ?? { api: e.api, scopes: e.scopes, sensitive: false, breaks: [] };
      need.sensitive ||= Boolean(e.sensitive);
      need.breaks.push(`${cap.name}: ${e.why}`);
      need.probe ??= e.probe;
      byApi.set(e.api, need);
    }
  }
  return [...byApi.values()];
}

/**
 * The least set: each API's narrowest scope (the first of its list), a scope that is the first
 * choice of the most uncovered APIs first, and an API some picked scope already opens needs no other.
 */
export function leastScopes(needs: readonly Need[]): LeastScope[] {
  const uncovered = new Set(needs);
  const picked: LeastScope[] = [];
  while (uncovered.size) {
    const first = new Map<string, number>();
    for (const n of uncovered) first.set(n.scopes[0], (first.get(n.scopes[0]) ?? 0) + 1);
    const opens = (s: string) => [...uncovered].filter((n) => n.scopes.includes(s)).length;
    const [scope] = [...first.keys()].sort((a, b) => first.get(b)! - first.get(a)! || opens(b) - opens(a) || a.localeCompare(b));
    const covered = needs.filter((n) => n.scopes.includes(scope));
    for (const n of covered) uncovered.delete(n);
    picked.push({ scope, sensitive: covered.some((n) => n.sensitive), apis: covered.map((n) => n.api), for: [...new Set(covered.flatMap((n) => n.breaks))] });
  }
  return picked;
}

const UNUSED_NOTE =
  'requested-but-unused scopes are not checked: Feishu tells a call which scopes it lacks (99991672), never which the app holds beyond them, and the emulator has no API listing an app\'s granted scopes; compare the app\'s Permissions & Scopes page with the least set by hand and remove the rest';

async function tenantToken(config: HubConfig): Promise<string | undefined> {
  const res = await fetch(`${config.domain}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ app_id: config.app.appId, app_secret: config.app.appSecret }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).catch(() => undefined);
  const body = (await res?.json().catch(() => ({}))) as { tenant_access_token?: string } | undefined;
  return body?.tenant_access_token;
}

type ProbeAnswer = { granted: true } | { granted: false; violations: string[] } | { error: string };

/** Calls a probe: 99991672 means none of its scopes is granted; any other answer, that one is. */
async function probe(config: HubConfig, token: string, method: string, p: NonNullable<ScopeNeed['probe']>): Promise<ProbeAnswer> {
  const url = new URL(`${config.domain}${p.url}`);
  for (const [k, v] of Object.entries(p.params ?? {})) url.searchParams.set(k, String(v));
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(p.data !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}) },
      body: p.data !== undefined ? JSON.stringify(p.data) : undefined,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    return { error: (err as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : (err as Error).message };
  }
  const body = (await res.json().catch(() => undefined)) as { code?: number; error?: { permission_violations?: { scope?: string; subject?: string }[] } } | undefined;
  if (body?.code === 99991672) {
    const violations = (body.error?.permission_violations ?? []).map((v) => v.scope ?? v.subject).filter((s): s is string => Boolean(s));
    return { granted: false, violations };
  }
  if (res.status === 429 || res.status >= 500 || body === undefined) return { error: `HTTP ${res.status}${body?.code !== undefined ? `, code ${body.code}` : ''}` };
  return { granted: true };
}

/** The platform's list, in the declared order (narrowest first), scopes it named beyond ours last. */
const inOrderOf = (declared: string[], named: string[]) => [...named].sort((a, b) => rank(declared, a) - rank(declared, b));
const rank = (declared: string[], s: string) => (declared.includes(s) ? declared.indexOf(s) : declared.length);

const approval = "it needs an admin's approval: after you publish, a tenant admin approves it in the Feishu admin console";

/**
 * The scopes the enabled capabilities need against what the app holds: one probe per API family
 * (APIs opened by the same scopes), with the app's tenant token against FEISHU_DOMAIN.
 */
export async function scopeChecks(config: HubConfig, capabilities: readonly Capability<any>[]): Promise<{ checks: Check[]; report: ScopeReport }> {
  const needs = neededApis(capabilities, config);
  const least = leastScopes(needs);
  const report: ScopeReport = { least, missing: [], unchecked: [], unusedNote: UNUSED_NOTE };
  const leastText = least.map((l) => l.scope).join(', ') || 'none';
  const unusedCheck: Check = { id: 'scopes-unused', title: 'scopes requested but unused', status: 'skip', detail: UNUSED_NOTE };
  if (!needs.length) return { checks: [{ id: 'scopes', title: 'app scopes', status: 'ok', detail: 'the enabled capabilities call no API that needs a scope' }, unusedCheck], report };
  if (config.sandbox) {
    return { checks: [{ id: 'scopes', title: 'app scopes', status: 'skip', detail: `sandbox: the built-in local Feishu grants every scope; to request for this config: ${leastText}` }, unusedCheck], report };
  }
  const token = await tenantToken(config);
  if (!token) {
    report.unchecked = needs.map((n) => ({ api: n.api, reason: 'no tenant token' }));
    return { checks: [{ id: 'scopes', title: 'app scopes', status: 'skip', detail: `not probed without a tenant token (fix the credentials first); to request: ${leastText}` }, unusedCheck], report };
  }

  // One probe per family: the APIs opened by the same scopes answer alike.
  const families = new Map<string, Need[]>();
  for (const n of needs) {
    const key = [...n.scopes].sort().join(' ');
    families.set(key, [...(families.get(key) ?? []), n]);
  }
  const requestFor = (n: Need) => least.find((l) => n.scopes.includes(l.scope))!.scope;
  await Promise.all(
    [...families.values()].map(async (family) => {
      const withProbe = family.find((n) => n.probe);
      if (!withProbe) {
        for (const n of family) report.unchecked.push({ api: n.api, reason: 'no harmless call to probe it with' });
        return;
      }
      const answer = await probe(config, token, withProbe.api.split(' ')[0], withProbe.probe!);
      if ('error' in answer) {
        for (const n of family) report.unchecked.push({ api: n.api, reason: `the probe of ${withProbe.api} failed (${answer.error})` });
      } else if (!answer.granted) {
        for (const n of family) report.missing.push({ api: n.api, request: requestFor(n), anyOf: answer.violations.length ? inOrderOf(n.scopes, answer.violations) : n.scopes, sensitive: n.sensitive, breaks: n.breaks });
      }
    }),
  );
  report.missing.sort((a, b) => needs.findIndex((n) => n.api === a.api) - needs.findIndex((n) => n.api === b.api));

  const checks: Check[] = [];
  const byScope = new Map<string, MissingScope[]>();
  for (const m of report.missing) byScope.set(m.request, [...(byScope.get(m.request) ?? []), m]);
  for (const [scope, ms] of byScope) {
    const sensitive = ms.some((m) => m.sensitive);
    const others = [...new Set(ms.flatMap((m) => m.anyOf))].filter((s) => s !== scope);
    checks.push({
      id: `scope:${scope}`,
      title: `scope ${scope}${sensitive ? " (needs an admin's approval)" : ''}`,
      status: 'fail',
      detail: `the app lacks it: Feishu refuses ${ms.map((m) => m.api).join(', ')} (99991672), so these break: ${[...new Set(ms.flatMap((m) => m.breaks))].join('; ')}`,
      fix: `in the Feishu developer console open the app > Permissions & Scopes, add ${scope}${others.length ? ` (or one of ${others.join(', ')})` : ''}, then create and publish a new version${sensitive ? `; ${approval}` : ''}`,
    });
  }
  const probed = needs.length - report.unchecked.length;
  if (report.missing.length) {
    checks.unshift({
      id: 'scopes',
      title: 'app scopes',
      status: 'fail',
      detail: `${report.missing.length} of the ${needs.length} APIs the enabled capabilities call are refused for lack of a scope; request: ${[...byScope.keys()].join(', ')}`,
      fix: `request the scopes below; the least set for this config is ${leastText}`,
    });
  } else if (report.unchecked.length) {
    checks.unshift({
      id: 'scopes',
      title: 'app scopes',
      status: 'warn',
      detail: `${probed} of ${needs.length} APIs answered with their scope granted; not checked: ${report.unchecked.map((u) => `${u.api} (${u.reason})`).join('; ')}`,
      fix: `make sure the app holds the least set: ${leastText}`,
    });
  } else {
    checks.unshift({ id: 'scopes', title: 'app scopes', status: 'ok', detail: `every API the enabled capabilities call is open to the app (${needs.length} APIs, ${families.size} probes); least set: ${leastText}` });
  }
  checks.push(unusedCheck);
  return { checks, report };
}
