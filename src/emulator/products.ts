import { approval } from './approval/index.js';
import { auth } from './auth/index.js';
import { authen } from './authen/index.js';
import { bitable } from './bitable/index.js';
import { control } from './control/index.js';
import { developer } from './developer/index.js';
import { directory } from './directory/index.js';
import { events } from './events/index.js';
import { im } from './im/index.js';
import type { Product } from './product.js';
import { webClient } from './web/index.js';
import { webhookBot } from './webhook-bot/index.js';

/**
 * The emulated products, in order: a slice is created, reset and restored after the ones above
 * it (im seeds its demo chat from the directory), and routes register in this order.
 * A new product is its folder and one line here.
 */
export const defaultProducts: readonly Product[] = [
  auth,
  directory,
  authen,
  im,
  events,
  approval,
  bitable,
  webhookBot,
  developer,
  webClient,
  control,
];
