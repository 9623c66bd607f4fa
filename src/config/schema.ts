import { z } from 'zod';

/** Keys a user may set in the environment or in feishu-hub.yaml (same names in both). */
export const configKeys = [
  'FEISHU_APP_ID',
  'FEISHU_APP_SECRET',
  'FEISHU_ENCRYPT_KEY',
  'FEISHU_VERIFICATION_TOKEN',
  'FEISHU_DOMAIN',
  'FEISHU_EVENT_MODE',
  'FEISHU_EMULATOR_PORT',
  'HUB_PORT',
  'HUB_HOST',
  'HUB_PUBLIC_URL',
  'HUB_SESSION_SECRET',
  'HUB_TRUST_PROXY',
  'HUB_HEADERS_TIMEOUT_MS',
  'HUB_REQUEST_TIMEOUT_MS',
  'FEISHU_ALLOW_UNVERIFIED',
  'DATABASE_URL',
  'REDIS_URL',
  'LOG_LEVEL',
] as const;

export type ConfigKey = (typeof configKeys)[number];

const port = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a port number' })
    .int('must be an integer')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(fallback);

const ms = (fallback: number) => z.coerce.number({ message: 'must be a number of milliseconds' }).int('must be a whole number of milliseconds').min(100, 'must be at least 100 ms').max(600_000, 'must be at most 600000 ms').default(fallback);

/** Comma-separated list: several keys/tokens may be active at once while rotating them. */
const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

const domain = z
  .string()
  .default('feishu')
  .refine((v) => v === 'feishu' || v === 'lark' || /^https?:\/\/[^\s/]+(:\d+)?\/?$/.test(v), {
    message: 'must be "feishu", "lark" or a base URL such as http://127.0.0.1:9000',
  })
  .transform((v) => {
    if (v === 'feishu') return 'https://open.feishu.cn';
    if (v === 'lark') return 'https://open.larksuite.com';
    return v.replace(/\/$/, '');
  });

export const rawConfigSchema = z
  .object({
    FEISHU_APP_ID: z
      .string()
      .regex(/^cli_[0-9a-zA-Z]+$/, 'must look like cli_a1b2c3d4e5f60708 (the App ID on the app page)')
      .optional(),
    FEISHU_APP_SECRET: z.string().min(1, 'must not be empty').optional(),
    FEISHU_ENCRYPT_KEY: list,
    FEISHU_VERIFICATION_TOKEN: list,
    FEISHU_DOMAIN: domain,
    FEISHU_EVENT_MODE: z.enum(['webhook', 'websocket'], { message: 'must be "webhook" or "websocket"' }).default('webhook'),
    FEISHU_EMULATOR_PORT: port(9000),
    HUB_PORT: port(3000),
    HUB_HOST: z.string().default('127.0.0.1'),
    HUB_PUBLIC_URL: z.string().url('must be a URL such as https://hub.example.com').optional(),
    HUB_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters (try: openssl rand -hex 32)').optional(),
    DATABASE_URL: z
      .string()
      .default('sqlite:./data/feishu-hub.db')
      .refine((v) => /^(sqlite:|postgres(ql)?:\/\/)/.test(v), {
        message: 'must start with sqlite: (e.g. sqlite:./data/feishu-hub.db) or postgres://',
      })
      .refine((v) => !/^sqlite:(\?|$)/.test(v), {
        message: 'sqlite: needs a file path, e.g. sqlite:./data/feishu-hub.db (sqlite::memory: keeps nothing across restarts)',
      }),
    HUB_TRUST_PROXY: z
      .string()
      .default('false')
      .refine((v) => /^(true|false|\d+|[\d.:a-f/,\s]+)$/i.test(v), { message: 'must be false, true, a hop count, or a comma-separated list of proxy addresses/CIDRs' })
      .transform((v): boolean | number | string => (/^false$/i.test(v) ? false : /^true$/i.test(v) ? true : /^\d+$/.test(v) ? Number(v) : v)),
    HUB_HEADERS_TIMEOUT_MS: ms(2000),
    HUB_REQUEST_TIMEOUT_MS: ms(2500),
    FEISHU_ALLOW_UNVERIFIED: z.enum(['true', 'false'], { message: 'must be true or false' }).default('false').transform((v) => v === 'true'),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.FEISHU_APP_ID && !c.FEISHU_APP_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['FEISHU_APP_SECRET'],
        message: 'is required when FEISHU_APP_ID is set (or unset FEISHU_APP_ID to run against the built-in emulator)',
      });
    }
    if (c.FEISHU_APP_SECRET && !c.FEISHU_APP_ID) {
      ctx.addIssue({ code: 'custom', path: ['FEISHU_APP_ID'], message: 'is required when FEISHU_APP_SECRET is set' });
    }
  });

export type RawConfig = z.output<typeof rawConfigSchema>;
