import type { AlertRoute, AlertsConfig, Severity } from './config.js';
import { matchesAll, parseMatcher, type Labels, type Matcher } from './matchers.js';

export interface DeliveryTarget {
  target: string;
  kind: 'chat' | 'user';
  route: string | null;
}

export interface CompiledRoute extends AlertRoute {
  compiled: Matcher[];
}

export interface Silence {
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  comment: string;
}

export function compileRoutes(config: AlertsConfig): CompiledRoute[] {
  return config.routes.map((r) => ({ ...r, compiled: r.matchers.map(parseMatcher) }));
}

export function compileSilences(config: AlertsConfig): Silence[] {
  return config.silences.map((s) => ({ matchers: s.matchers.map(parseMatcher), startsAt: Date.parse(s.starts_at), endsAt: Date.parse(s.ends_at), comment: s.comment }));
}

/** The routes an incident goes by, in order (the first match, plus later ones after a `continue`). */
export function matchingRoutes(routes: CompiledRoute[], labels: Labels, severity: Severity): CompiledRoute[] {
  const out: CompiledRoute[] = [];
  for (const r of routes) {
    if (!matchesAll(r.compiled, labels)) continue;
    if (r.severities && !r.severities.includes(severity)) continue;
    out.push(r);
    if (!r.continue) break;
  }
  return out;
}

/** Where an incident's cards go: each route's chats and people once, or the default chat. */
export function targetsOf(routes: CompiledRoute[], defaultChat: string | undefined): DeliveryTarget[] {
  const seen = new Set<string>();
  const out: DeliveryTarget[] = [];
  const add = (target: string, kind: DeliveryTarget['kind'], route: string | null) => {
    if (seen.has(target)) return;
    seen.add(target);
    out.push({ target, kind, route });
  };
  for (const r of routes) {
    for (const c of r.chats) add(c, 'chat', r.name);
    for (const u of r.users) add(u, 'user', r.name);
  }
  if (routes.length === 0 && defaultChat) add(defaultChat, 'chat', null);
  return out;
}

/** The maintenance silence holding these labels at `at`, if any. */
export function silenceFor(silences: Silence[], labels: Labels, at: number): Silence | undefined {
  return silences.find((s) => at >= s.startsAt && at < s.endsAt && matchesAll(s.matchers, labels));
}
