import { MinuteRing } from '../../platform/ring.js';

/**
 * Cards checked before sending in this process (the messenger validates every interactive
 * message, reply and patch): how many passed and how many were refused, and a per-minute ring.
 */
export const cardValidationStats = {
  checked: 0,
  failed: 0,
  ring: new MinuteRing(['card_checks', 'card_failures'] as const),
  record(ok: boolean): void {
    this.checked++;
    this.ring.add('card_checks');
    if (!ok) {
      this.failed++;
      this.ring.add('card_failures');
    }
  },
};
