import type { FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ApiError, tokenErrors } from '../errors.js';
import { AuthState } from './state.js';

/** Paths under /open-apis that take no bearer token. */
const PUBLIC = [/^\/open-apis\/auth\/v3\//, /^\/open-apis\/bot\/v2\/hook\//, /^\/open-apis\/bot\/hook\//, /^\/open-apis\/authen\//];

export function needsToken(path: string): boolean {
  return path.startsWith('/open-apis/') && !PUBLIC.some((re) => re.test(path));
}

/** Resolves `Authorization: Bearer …` into request.auth, or throws the platform's token error. */
export function authenticate(ctx: EmulatorContext, request: FastifyRequest): void {
  const header = request.headers.authorization;
  if (!header || !/^Bearer\s+\S/.test(header)) throw tokenErrors.missing();
  const token = header.replace(/^Bearer\s+/, '').trim();
  if (!/^[tua]-/.test(token)) throw tokenErrors.badFormat();
  const rec = ctx.slice(AuthState).tokens.resolve(token, ctx.clock.now());
  if (typeof rec === 'string') {
    if (token.startsWith('u-')) throw tokenErrors.userInvalid();
    if (token.startsWith('a-')) throw tokenErrors.appInvalid();
    throw tokenErrors.tenantInvalid();
  }
  request.auth = rec;
}

/** For APIs that accept only a tenant token (message send, chat create…). */
export function requireTenant(request: FastifyRequest): void {
  if (request.auth?.kind !== 'tenant') {
    throw new ApiError(400, 99991663, 'Invalid access token for authorization. Please make a request with token attached.');
  }
}
