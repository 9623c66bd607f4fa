import type { EmulatorContext } from '../context.js';
import type { Slice } from '../product.js';

/**
 * The control API's own state: fault rules, rate-limit windows and the call log. They steer and
 * record a run rather than describe the tenant, so a reset clears them and a snapshot leaves
 * them out (restoring one clears them too, as a reset does).
 */
export class ControlState implements Slice<Record<string, never>> {
  constructor(private readonly ctx: EmulatorContext) {}

  reset(): void {
    this.ctx.faults.clear();
    this.ctx.limiter.reset();
    this.ctx.calls.clear();
  }

  snapshot(): Record<string, never> {
    return {};
  }

  restore(): void {
    this.reset();
  }

  inspect(query: Record<string, string | undefined>): Record<string, unknown> {
    return {
      faults: this.ctx.faults.rules,
      event_faults: this.ctx.faults.eventRules,
      rate_limits: this.ctx.limiter.settings,
      calls: this.ctx.calls.since(Number(query.calls_since ?? 0)),
    };
  }
}
