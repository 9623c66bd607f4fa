import { refill, type Slice } from '../product.js';
import type { WebhookBotRecord } from '../types.js';

/** Custom group bots, by webhook token. */
export class WebhookBotState implements Slice<WebhookBotRecord[]> {
  readonly bots = new Map<string, WebhookBotRecord>();

  reset(): void {
    this.bots.clear();
  }

  snapshot(): WebhookBotRecord[] {
    return [...this.bots.values()];
  }

  restore(json: WebhookBotRecord[]): void {
    refill(this.bots, (json ?? []).map((b) => [b.token, b]));
  }

  inspect(): Record<string, unknown> {
    // Whether a bot signs, not its secret: the state view is for looking at.
    return { webhook_bots: [...this.bots.values()].map(({ secret, ...b }) => ({ ...b, signed: Boolean(secret) })) };
  }
}
