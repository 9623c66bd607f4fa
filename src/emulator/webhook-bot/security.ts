import { createHmac, timingSafeEqual } from 'node:crypto';

/** The signature window: the body's timestamp must be within an hour of the platform's clock. */
export const SIGN_WINDOW_SEC = 60 * 60;

/** sign = base64(HMAC-SHA256(key = `${timestamp}\n${secret}`, message = "")): the string-to-sign is the key. */
export function webhookSign(timestamp: string, secret: string): string {
  return createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
}

/** Whether a signed body is acceptable at `nowMs` (emulator time). */
export function signatureValid(timestamp: unknown, sign: unknown, secret: string, nowMs: number): boolean {
  const ts = typeof timestamp === 'number' ? String(timestamp) : timestamp;
  if (typeof ts !== 'string' || !/^\d{1,12}$/.test(ts) || typeof sign !== 'string') return false;
  if (Math.abs(nowMs / 1000 - Number(ts)) > SIGN_WINDOW_SEC) return false;
  const expected = Buffer.from(webhookSign(ts, secret));
  const given = Buffer.from(sign);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** Allow-list entries: exact IPs, `1.2.3.*` wildcards and IPv4 CIDRs (`1.2.3.0/24`). */
export function ipAllowed(rawIp: string, allowlist: string[]): boolean {
  if (allowlist.length === 0) return true;
  const ip = rawIp.replace(/^::ffff:/, '');
  return allowlist.some((entry) => {
    if (entry === ip) return true;
    if (entry.includes('*')) {
      const re = new RegExp(`^${entry.replace(/\./g, '\\.').replace(/\*/g, '\\d{1,3}')}$`);
      return re.test(ip);
    }
    const [base, bits] = entry.split('/');
    if (bits === undefined) return false;
    const a = ipv4ToInt(ip);
    const b = ipv4ToInt(base!);
    const n = Number(bits);
    if (a === undefined || b === undefined || !Number.isInteger(n) || n < 0 || n > 32) return false;
    const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
    return ((a & mask) >>> 0) === ((b & mask) >>> 0);
  });
}
