import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../config/index.js';
import type { AlertsConfig, SourceName } from './config.js';

/** What a source accepts, as `Authorization` header values (hashed, so comparing is constant time). */
export type SourceCredentials = Map<SourceName, Buffer[]>;
type Credential = NonNullable<AlertsConfig['sources']['alertmanager']>['credentials'][number];

const digest = (s: string) => createHash('sha256').update(s).digest();

/** A bearer credential's token: from its env variable, else its file (created when `generate`). */
export function bearerToken(c: Credential, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = c.token_env ? env[c.token_env] : undefined;
  if (fromEnv) return fromEnv;
  if (!c.token_file) return undefined;
  if (existsSync(c.token_file)) return readFileSync(c.token_file, 'utf8').trim();
  if (!c.generate) return undefined;
  const token = randomBytes(24).toString('base64url');
  mkdirSync(dirname(c.token_file), { recursive: true });
  writeFileSync(c.token_file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** The `Authorization` header value of a credential, or a problem to report. */
export function authorizationOf(c: Credential, env: NodeJS.ProcessEnv = process.env): { header?: string; problem?: string } {
  if (c.username) {
    const password = env[c.password_env!];
    if (!password || password.length < 16) return { problem: `${c.password_env} must be set to at least 16 characters` };
    return { header: `Basic ${Buffer.from(`${c.username}:${password}`).toString('base64')}` };
  }
  const token = bearerToken(c, env);
  const where = [c.token_env, c.token_file && `the file ${c.token_file}`].filter(Boolean).join(' or ');
  if (!token || token.length < 16) return { problem: `${where} must hold a token of at least 16 characters` };
  return { header: `Bearer ${token}` };
}

/**
 * Reads every source's credentials. One that is unset or short stops the start with what to set.
 */
export function loadSourceCredentials(config: AlertsConfig, env: NodeJS.ProcessEnv = process.env): SourceCredentials {
  const out: SourceCredentials = new Map();
  const problems: string[] = [];
  for (const [name, source] of Object.entries(config.sources) as [SourceName, AlertsConfig['sources'][SourceName]][]) {
    if (!source) continue;
    const accepted: Buffer[] = [];
    for (const c of source.credentials) {
      const { header, problem } = authorizationOf(c, env);
      if (problem) problems.push(`${problem} (a credential of alerts source "${name}")`);
      else accepted.push(digest(header!));
    }
    out.set(name, accepted);
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}

/** Whether the `Authorization` header is one of the accepted credentials (every one compared, in constant time). */
export function authorized(accepted: Buffer[], header: string | undefined): boolean {
  if (!header) return false;
  const [scheme = '', ...rest] = header.trim().split(/\s+/);
  const canonical = scheme.toLowerCase() === 'bearer' ? 'Bearer' : scheme.toLowerCase() === 'basic' ? 'Basic' : scheme;
  const given = digest(`${canonical} ${rest.join(' ')}`);
  let ok = false;
  for (const a of accepted) ok = timingSafeEqual(a, given) || ok;
  return ok;
}
