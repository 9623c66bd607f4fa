import type { EventFaultRule, FaultRule } from './types.js';

/** Does a rule's path (exact, `:param` pattern, or `prefix*`) cover this request? */
export function pathMatches(rulePath: string | undefined, path: string, routePattern?: string): boolean {
  if (!rulePath) return true;
  if (rulePath.endsWith('*')) return path.startsWith(rulePath.slice(0, -1));
  if (rulePath === path || rulePath === routePattern) return true;
  if (!rulePath.includes(':')) return false;
  const re = new RegExp(`^${rulePath.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+')}$`);
  return re.test(path);
}

/** Fault injection by operation, LocalStack-style: status, code, latency, probability, count. */
export class FaultStore {
  rules: FaultRule[] = [];
  eventRules: EventFaultRule[] = [];
  private nextId = 1;

  add(input: Partial<Omit<FaultRule, 'id' | 'hits'>>): FaultRule {
    const rule: FaultRule = {
      id: this.nextId++,
      method: input.method?.toUpperCase(),
      path: input.path,
      status: input.status,
      code: input.code,
      msg: input.msg,
      rate: input.rate ?? 1,
      count: input.count,
      delay_ms: input.delay_ms ?? 0,
      after: input.after ?? false,
      hits: 0,
    };
    this.rules.push(rule);
    return rule;
  }

  addEventFault(input: Partial<Omit<EventFaultRule, 'id' | 'hits'>>): EventFaultRule {
    const rule: EventFaultRule = { ...input, id: this.nextId++, rate: input.rate ?? 1, hits: 0 };
    this.eventRules.push(rule);
    return rule;
  }

  /** The first rule that fires for this request (consuming one of its count), if any. */
  match(method: string, path: string, routePattern?: string): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.method && rule.method !== method.toUpperCase()) continue;
      if (!pathMatches(rule.path, path, routePattern)) continue;
      if (rule.count !== undefined && rule.count <= 0) continue;
      if (Math.random() >= rule.rate) continue;
      if (rule.count !== undefined) rule.count--;
      rule.hits++;
      return rule;
    }
    return undefined;
  }

  /** The event-delivery rule that applies to one event, if any. */
  matchEvent(eventType: string): EventFaultRule | undefined {
    for (const rule of this.eventRules) {
      if (rule.event_type && rule.event_type !== eventType) continue;
      if (rule.count !== undefined && rule.count <= 0) continue;
      if (Math.random() >= rule.rate) continue;
      if (rule.count !== undefined) rule.count--;
      rule.hits++;
      return rule;
    }
    return undefined;
  }

  clear(): void {
    this.rules = [];
    this.eventRules = [];
  }
}
