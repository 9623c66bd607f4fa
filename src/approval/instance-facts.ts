import type { ApprovalClient, InstanceSummary } from './client.js';

/**
 * What a rule's message, card and HTTP body may use about an instance, as `${…}` variables:
 * `${form.amount}` (by widget id or name), `${applicant.open_id}`, `${approval_name}`,
 * `${opinion}` (the decider's comment), `${status}`, `${instance_code}`, `${serial_number}`,
 * `${start_time}` / `${end_time}` (ISO; end '' while pending).
 */
export interface InstanceFacts {
  instance_code: string;
  approval_code: string;
  approval_name: string;
  status: string;
  serial_number: string;
  title: string;
  applicant: { open_id: string; user_id: string };
  /** Widget values by id and by name (amounts as numbers, contacts as open ids…). */
  form: Record<string, unknown>;
  /** The last approval opinion (the comment given with approve / reject / transfer), or ''. */
  opinion: string;
  /** Who decided last (open_id), or ''. */
  decided_by: string;
  /** ISO times: when it was submitted, and when it ended ('' while pending). */
  start_time: string;
  end_time: string;
}

/** The facts of one instance as the client reads it. */
export function factsOf(s: InstanceSummary): InstanceFacts {
  const form: Record<string, unknown> = {};
  for (const v of s.form) {
    form[v.id] ??= v.value;
    if (v.name) form[v.name] ??= v.value;
  }
  const decisions = s.timeline.filter((t) => ['PASS', 'REJECT', 'TRANSFER', 'CANCEL'].includes(t.type));
  const last = decisions[decisions.length - 1];
  return {
    instance_code: s.instance_code,
    approval_code: s.approval_code,
    approval_name: s.approval_name,
    status: s.status,
    serial_number: s.serial_number,
    title: s.title ?? '',
    applicant: s.applicant,
    form,
    opinion: last?.comment ?? '',
    decided_by: last?.user.open_id ?? '',
    start_time: s.start_time,
    end_time: s.end_time,
  };
}

/**
 * The facts of instances fetched in the last few seconds, so the rules of one transition (a
 * message, a card and an HTTP call) cost one `instance get` between them, not one each.
 */
export class InstanceFactsCache {
  private readonly entries = new Map<string, { at: number; facts: Promise<InstanceFacts> }>();

  constructor(
    private readonly client: ApprovalClient,
    private readonly ttlMs = 5000,
  ) {}

  /** Keyed by instance and status: the rules of a later transition (REVERTED after APPROVED) read the instance again. */
  get(instanceCode: string, status: string): Promise<InstanceFacts> {
    const now = Date.now();
    for (const [k, e] of this.entries) if (now - e.at > this.ttlMs) this.entries.delete(k);
    const key = `${instanceCode}\u0000${status}`;
    const hit = this.entries.get(key);
    if (hit) return hit.facts;
    const facts = this.client.get(instanceCode).then(factsOf);
    this.entries.set(key, { at: now, facts });
    facts.catch(() => this.entries.delete(key));
    return facts;
  }
}
