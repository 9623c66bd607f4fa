import { defineCapability } from '../capability/index.js';
import { ActionRouter, type ActionListener } from './actions.js';
import { CardValidationError } from './validate/index.js';
import { cardsScopes } from './scopes.js';

declare module '../capability/index.js' {
  interface HubExtensions {
    /** Card clicks whose value's `action` (or `key`, or the element name) is `key`. */
    action(key: string | RegExp, listener: ActionListener): this;
  }
}

/**
 * Card action routing: `hub.action(key)`, answered within the intake's budget (the receiver
 * records each callback durably first, so a repeat never runs a listener twice). An invalid card
 * is a failure a retry cannot fix.
 */
export const cardsCapability = defineCapability({
  name: 'cards',
  scopes: cardsScopes,
  after: ['bot'],
  setup({ hub, platform, logger, decorate, handleCardCallbacks, permanentError }) {
    const router = new ActionRouter({ platform, messenger: hub.messenger, logger });
    decorate({
      action(key: string | RegExp, listener: ActionListener) {
        router.on(key, listener);
        return hub;
      },
    });
    handleCardCallbacks((action, budget) => router.handle(action, budget));
    permanentError((err) => err instanceof CardValidationError);
  },
});
