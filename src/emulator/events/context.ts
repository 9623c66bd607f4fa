import type { EmulatorContext } from '../context.js';
import { DeliveryBus } from './bus.js';

/** The emulator's event bus with its extras (log, long connections, card tokens). */
export function busOf(ctx: EmulatorContext): DeliveryBus {
  if (!(ctx.events instanceof DeliveryBus)) throw new Error('the emulator context has no DeliveryBus');
  return ctx.events;
}
