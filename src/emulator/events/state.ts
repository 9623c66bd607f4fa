import type { EmulatorContext } from '../context.js';
import { refill, type Slice } from '../product.js';
import type { CardGrant } from './bus.js';
import { busOf } from './context.js';
import { eventLog } from './routes.js';

export interface EventsSnapshot {
  /** Delayed-update tokens handed out with card callbacks, so a restored card can still be updated. */
  card_tokens: [token: string, grant: CardGrant][];
}

/**
 * The event bus's state. The delivery log and pending retries are history, not state: a reset
 * or a restore drops them (and cancels the retries), a snapshot leaves them out.
 */
export class EventsState implements Slice<EventsSnapshot> {
  constructor(private readonly ctx: EmulatorContext) {}

  reset(): void {
    busOf(this.ctx).reset();
  }

  snapshot(): EventsSnapshot {
    return { card_tokens: [...busOf(this.ctx).cardTokens] };
  }

  restore(json: EventsSnapshot): void {
    const bus = busOf(this.ctx);
    bus.reset();
    refill(bus.cardTokens, json.card_tokens ?? []);
  }

  inspect(): Record<string, unknown> {
    return { events: eventLog(this.ctx) };
  }
}
