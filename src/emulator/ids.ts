import { randomBytes, randomUUID } from 'node:crypto';

/** Random lowercase hex of n characters. */
export const hex = (n: number): string => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);

/** Ids with the prefixes the real platform uses, so code that checks prefixes behaves the same. */
export const newId = {
  message: () => `om_${hex(32)}`,
  thread: () => `omt_${hex(14)}`,
  chat: () => `oc_${hex(32)}`,
  openId: () => `ou_${hex(32)}`,
  unionId: () => `on_${hex(32)}`,
  userId: () => hex(8),
  image: () => `img_v2_${randomUUID()}`,
  file: () => `file_v2_${randomUUID()}`,
  eventId: () => hex(32),
  logId: () => `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}${hex(18).toUpperCase()}`,
  tenantToken: () => `t-g${hex(40)}`,
  appToken: () => `a-g${hex(40)}`,
  cardToken: () => `c-${hex(40)}`,
  appTicket: () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
};
