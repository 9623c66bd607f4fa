import type { EmulatorContext } from '../context.js';
import type { Slice } from '../product.js';
import { DirectoryState } from '../directory/index.js';
import { seedDefinitions } from './seed.js';
import type { ApprovalDefinition, ApprovalInstance, ApprovalSnapshot } from './types.js';

/** Definitions (two seeded), instances with their tasks, and which app subscribed which definition. */
export class ApprovalState implements Slice<ApprovalSnapshot> {
  readonly definitions = new Map<string, ApprovalDefinition>();
  readonly instances = new Map<string, ApprovalInstance>();
  /** app_id → approval codes it subscribed (events are pushed only for these). */
  readonly subscriptions = new Map<string, Set<string>>();

  constructor(private readonly ctx: EmulatorContext) {
    this.reset();
  }

  reset(): void {
    // The directory is reset before this slice (list order), so its seed is current.
    const dir = this.ctx.slice(DirectoryState);
    this.fill({ definitions: seedDefinitions((k) => dir.findUser(k, 'user_id')?.open_id), instances: [], subscriptions: {} });
  }

  snapshot(): ApprovalSnapshot {
    return {
      definitions: [...this.definitions.values()],
      instances: [...this.instances.values()],
      subscriptions: Object.fromEntries([...this.subscriptions].map(([app, codes]) => [app, [...codes]])),
    };
  }

  restore(json: ApprovalSnapshot): void {
    this.fill({ definitions: json.definitions ?? [], instances: json.instances ?? [], subscriptions: json.subscriptions ?? {} });
  }

  inspect(): Record<string, unknown> {
    const s = this.snapshot();
    return { approval_definitions: s.definitions, approval_instances: s.instances, approval_subscriptions: s.subscriptions };
  }

  /** An instance by its code or by the create-time uuid (get accepts both). */
  findInstance(id: string): ApprovalInstance | undefined {
    return this.instances.get(id) ?? [...this.instances.values()].find((i) => i.uuid !== '' && i.uuid === id);
  }

  /** The apps that subscribed this definition. */
  subscribers(approvalCode: string): string[] {
    return [...this.subscriptions].filter(([, codes]) => codes.has(approvalCode)).map(([app]) => app);
  }

  // Maps are refilled in place, so code holding them stays live across restore.
  private fill(s: ApprovalSnapshot): void {
    this.definitions.clear();
    for (const d of s.definitions) this.definitions.set(d.approval_code, d);
    this.instances.clear();
    for (const i of s.instances) this.instances.set(i.instance_code, i);
    this.subscriptions.clear();
    for (const [app, codes] of Object.entries(s.subscriptions)) this.subscriptions.set(app, new Set(codes));
  }
}
