import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';

export type { Logger };

/** Object keys whose values never reach a log line, wherever they appear. */
export const redactedKeys = [
  'app_secret',
  'appSecret',
  'AppSecret',
  'encrypt_key',
  'encryptKey',
  'verification_token',
  'verificationToken',
  'tenant_access_token',
  'app_access_token',
  'user_access_token',
  'access_token',
  'refresh_token',
  'app_ticket',
  'authorization',
  'Authorization',
  'client_secret',
  'password',
  'secret',
  'sign',
  'cookie',
  'set-cookie',
];

const REDACTED = '[redacted]';

/** Replaces known secret values inside any string, and secret-named keys at any depth. */
export function scrub(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    // Bearer tokens in free text (error messages that echo a header).
    return out.replace(/\b(Bearer\s+)[A-Za-z0-9._-]{8,}/g, `$1${REDACTED}`);
  }
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrub(value.message, secrets, depth + 1), stack: scrub(value.stack, secrets, depth + 1), ...(scrub({ ...value }, secrets, depth + 1) as object) };
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = redactedKeys.includes(k) && v !== undefined && v !== null && v !== '' ? REDACTED : scrub(v, secrets, depth + 1);
  }
  return out;
}

/** A copy of an error with secrets masked; still an Error so pino uses its message as `msg`. */
function scrubError(e: Error, secrets: readonly string[]): Error {
  const copy = new Error(scrub(e.message, secrets) as string);
  copy.name = e.name;
  copy.stack = scrub(e.stack, secrets) as string;
  Object.assign(copy, scrub({ ...e }, secrets));
  return copy;
}

export interface CreateLoggerOptions {
  level?: LoggerOptions['level'];
  /** Secret values (app secret, keys, tokens) to mask wherever they appear. */
  secrets?: readonly string[];
  name?: string;
  destination?: DestinationStream;
}

/** The hub's pino logger: JSON lines, secrets masked by key and by value. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const secrets = [...(options.secrets ?? [])].filter((s) => s.length >= 4);
  const opts: LoggerOptions = {
    level: options.level ?? 'info',
    name: options.name,
    formatters: {
      log: (obj) => scrub(obj, secrets) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const cleaned = args.map((a) => (typeof a === 'string' ? scrub(a, secrets) : a instanceof Error ? scrubError(a, secrets) : a)) as Parameters<typeof method>;
        return method.apply(this, cleaned);
      },
    },
    serializers: { err: (e: unknown) => scrub(e, secrets) },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
