import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configKeys, rawConfigSchema, type ConfigKey, type RawConfig } from './schema.js';

export interface HubConfig {
  /** True when no FEISHU_APP_ID is set: the hub starts the emulator in-process and wires itself to it. */
  sandbox: boolean;
  app: { appId?: string; appSecret?: string; encryptKeys: string[]; verificationTokens: string[] };
  domain: string;
  eventMode: 'webhook' | 'websocket';
  emulatorPort: number;
  http: {
    port: number;
    host: string;
    publicUrl?: string;
    /** Fastify/proxy-addr semantics: false (default: X-Forwarded-For ignored), true, a hop count, or trusted addresses. */
    trustProxy: boolean | number | string;
    /** Time to receive a request's headers, then the whole request, before it is cut (408). */
    headersTimeoutMs: number;
    requestTimeoutMs: number;
  };
  /** Accept unsigned, unverified pushes (no encrypt key, no verification token): local experiments only. */
  allowUnverified: boolean;
  sessionSecret?: string;
  databaseUrl: string;
  redisUrl?: string;
  logLevel: RawConfig['LOG_LEVEL'];
  /** The file the config came from, if any. */
  file?: string;
  /** Everything else in feishu-hub.yaml (capability sections such as alerts, approvals, sync). */
  extra: Record<string, unknown>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Path to feishu-hub.yaml; defaults to $FEISHU_HUB_CONFIG or ./feishu-hub.yaml when it exists. */
  file?: string;
  /** Values that win over env and file (used by CLI flags and tests). */
  overrides?: Partial<Record<ConfigKey, string | number>>;
}

/**
 * Reads config from (lowest to highest precedence) feishu-hub.yaml, the environment,
 * `<KEY>_FILE` secret files, and explicit overrides. Throws ConfigError with one line per problem.
 */
export function loadConfig(options: LoadOptions = {}): HubConfig {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const filePath = options.file ?? env.FEISHU_HUB_CONFIG ?? (existsSync('feishu-hub.yaml') ? 'feishu-hub.yaml' : undefined);
  let fromFile: Record<string, unknown> = {};
  if (filePath) {
    try {
      const parsed = parseYaml(readFileSync(resolve(filePath), 'utf8')) ?? {};
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('top level must be a mapping');
      fromFile = parsed as Record<string, unknown>;
    } catch (err) {
      problems.push(`${filePath}: cannot read it (${(err as Error).message}); fix the file or unset FEISHU_HUB_CONFIG`);
    }
  }

  const merged: Record<string, string | undefined> = {};
  for (const key of configKeys) {
    let value: unknown = fromFile[key];
    if (env[key] !== undefined && env[key] !== '') value = env[key];
    const secretFile = env[`${key}_FILE`];
    if (secretFile) {
      try {
        value = readFileSync(secretFile, 'utf8').trim();
      } catch (err) {
        problems.push(`${key}_FILE: cannot read ${secretFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    if (options.overrides?.[key] !== undefined) value = options.overrides[key];
    if (Array.isArray(value)) value = value.join(',');
    merged[key] = value === undefined || value === null ? undefined : String(value);
  }

  const result = rawConfigSchema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.join('.') || 'config';
      problems.push(`${key} ${issue.message}`);
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);

  const c = result.data;
  const extra = Object.fromEntries(Object.entries(fromFile).filter(([k]) => !(configKeys as readonly string[]).includes(k)));
  return {
    sandbox: !c.FEISHU_APP_ID,
    app: {
      appId: c.FEISHU_APP_ID,
      appSecret: c.FEISHU_APP_SECRET,
      encryptKeys: c.FEISHU_ENCRYPT_KEY,
      verificationTokens: c.FEISHU_VERIFICATION_TOKEN,
    },
    domain: c.FEISHU_DOMAIN,
    eventMode: c.FEISHU_EVENT_MODE,
    emulatorPort: c.FEISHU_EMULATOR_PORT,
    http: {
      port: c.HUB_PORT,
      host: c.HUB_HOST,
      publicUrl: c.HUB_PUBLIC_URL,
      trustProxy: c.HUB_TRUST_PROXY,
      headersTimeoutMs: Math.min(c.HUB_HEADERS_TIMEOUT_MS, c.HUB_REQUEST_TIMEOUT_MS),
      requestTimeoutMs: c.HUB_REQUEST_TIMEOUT_MS,
    },
    allowUnverified: c.FEISHU_ALLOW_UNVERIFIED,
    sessionSecret: c.HUB_SESSION_SECRET,
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    logLevel: c.LOG_LEVEL,
    file: filePath,
    extra,
  };
}

/** The secret values of a config, for value-based log redaction. */
export function secretValues(config: HubConfig): string[] {
  return [
    config.app.appSecret,
    ...config.app.encryptKeys,
    ...config.app.verificationTokens,
    config.sessionSecret,
    passwordOf(config.databaseUrl),
    passwordOf(config.redisUrl),
  ].filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

function passwordOf(url?: string): string | undefined {
  if (!url) return undefined;
  try {
    const p = new URL(url).password;
    return p ? decodeURIComponent(p) : undefined;
  } catch {
    return undefined;
  }
}
