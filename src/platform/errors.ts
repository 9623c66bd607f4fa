import { explainCode, type CodeExplanation } from './explain.js';

/** Codes meaning "the token we sent is not (or no longer) valid": drop it, fetch a fresh one, retry once. */
export const TOKEN_INVALID_CODES: ReadonlySet<number> = new Set([99991661, 99991663, 99991664, 99991668, 99991671]);

/** Rate-limit refusals: the platform did not process the request, so repeating it later is always safe. */
export const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([99991400, 230020, 232019, 11232, 11233, 11247, 1254290]);

/** Transient server-side failures: worth retrying when the request is safe to repeat. */
const TRANSIENT_CODES: ReadonlySet<number> = new Set([1500, 5000, 55001, 65001, 230049, 1254291, 1254607]);

/** Codes used for failures that have no Feishu code of their own. */
export const LOCAL_CODES = {
  /** The connection failed (refused, reset, DNS…). */
  network: -1,
  /** No answer within the timeout. */
  timeout: -2,
  /** An HTTP error without a Feishu JSON body (a proxy's 502 page, …). */
  http: -3,
} as const;

export interface FieldViolation {
  field: string;
  value?: string;
  description?: string;
}

export interface PermissionViolation {
  scope?: string;
  type?: string;
  subject?: string;
  description?: string;
  url?: string;
}

export interface FeishuApiErrorInit {
  code: number;
  msg: string;
  httpStatus: number;
  method: string;
  path: string;
  logId?: string;
  troubleshooter?: string;
  permissionViolations?: PermissionViolation[];
  fieldViolations?: FieldViolation[];
  /** Seconds until the limit resets (x-ogw-ratelimit-reset), for rate-limit refusals. */
  retryAfterSec?: number;
  cause?: unknown;
}

/**
 * Every failed Feishu call: HTTP 200 with `code != 0`, 4xx/5xx bodies, timeouts and network failures.
 *
 * @example
 * try { await messenger.sendText('oc_x', 'hi') } catch (e) { if (e instanceof FeishuApiError && e.code === 230002) … }
 */
export class FeishuApiError extends Error {
  readonly code: number;
  readonly msg: string;
  readonly httpStatus: number;
  /** The API called, e.g. `POST` and `/open-apis/im/v1/messages`. */
  readonly method: string;
  readonly path: string;
  readonly logId?: string;
  readonly troubleshooter?: string;
  readonly permissionViolations: PermissionViolation[];
  readonly fieldViolations: FieldViolation[];
  readonly retryAfterSec?: number;

  constructor(init: FeishuApiErrorInit) {
    super(
      `Feishu API error ${init.code}: ${init.msg} (${init.method} ${init.path}${init.logId ? `, log_id ${init.logId}` : ''})`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = 'FeishuApiError';
    this.code = init.code;
    this.msg = init.msg;
    this.httpStatus = init.httpStatus;
    this.method = init.method;
    this.path = init.path;
    this.logId = init.logId;
    this.troubleshooter = init.troubleshooter;
    this.permissionViolations = init.permissionViolations ?? [];
    this.fieldViolations = init.fieldViolations ?? [];
    this.retryAfterSec = init.retryAfterSec;
  }

  /** A refusal by a rate limit (HTTP 429 or a rate-limit code): not processed, safe to send again later. */
  get rateLimited(): boolean {
    if (this.code === 99991403) return false; // monthly quota: waiting seconds does not help
    return this.httpStatus === 429 || RATE_LIMIT_CODES.has(this.code);
  }

  /** The token was refused; a fresh token may succeed. */
  get tokenInvalid(): boolean {
    return TOKEN_INVALID_CODES.has(this.code);
  }

  /** Transient: the same request may succeed later (rate limits, 5xx, timeouts, network errors). */
  get retryable(): boolean {
    if (this.code === 99991403) return false;
    return (
      this.rateLimited ||
      this.httpStatus >= 500 ||
      this.code === LOCAL_CODES.network ||
      this.code === LOCAL_CODES.timeout ||
      TRANSIENT_CODES.has(this.code)
    );
  }

  /** What the code means and what to do about it (for people: CLI, logs, console). */
  explain(): CodeExplanation {
    return explainCode(this.code, this.httpStatus);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      msg: this.msg,
      httpStatus: this.httpStatus,
      method: this.method,
      path: this.path,
      logId: this.logId,
      troubleshooter: this.troubleshooter,
      retryable: this.retryable,
      permissionViolations: this.permissionViolations,
      fieldViolations: this.fieldViolations,
    };
  }
}

/** The error for a response body (and status) that reports a failure, or undefined when it is a success. */
export function errorFromResponse(
  body: unknown,
  status: number,
  headers: Record<string, string>,
  api: { method: string; path: string },
): FeishuApiError | undefined {
  const b = body && typeof body === 'object' && !Buffer.isBuffer(body) ? (body as Record<string, unknown>) : undefined;
  const rawCode = b?.code ?? b?.StatusCode;
  const code = typeof rawCode === 'number' ? rawCode : typeof rawCode === 'string' && /^-?\d+$/.test(rawCode) ? Number(rawCode) : undefined;
  if (code === 0 && status < 400) return undefined;
  if (code === undefined && status < 400) return undefined;
  const err = (b?.error && typeof b.error === 'object' ? b.error : {}) as Record<string, unknown>;
  const reset = Number(headers['x-ogw-ratelimit-reset']);
  return new FeishuApiError({
    code: code ?? LOCAL_CODES.http,
    msg: String(b?.msg ?? b?.StatusMessage ?? err.message ?? `HTTP ${status}`),
    httpStatus: status,
    method: api.method,
    path: api.path,
    logId: str(err.log_id) ?? str(err.logid) ?? headers['x-tt-logid'] ?? headers['x-request-id'],
    troubleshooter: str(err.troubleshooter),
    permissionViolations: Array.isArray(err.permission_violations) ? (err.permission_violations as PermissionViolation[]) : undefined,
    fieldViolations: Array.isArray(err.field_violations) ? (err.field_violations as FieldViolation[]) : undefined,
    retryAfterSec: Number.isFinite(reset) && reset >= 0 && headers['x-ogw-ratelimit-reset'] !== undefined ? reset : undefined,
  });
}

/** The error for a request that got no HTTP answer (timeout, refused connection…). */
export function transportError(cause: unknown, api: { method: string; path: string }, timedOut: boolean): FeishuApiError {
  const e = cause as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  const detail = e?.cause?.code ?? e?.code ?? e?.cause?.message ?? e?.message ?? 'unknown';
  return new FeishuApiError({
    code: timedOut ? LOCAL_CODES.timeout : LOCAL_CODES.network,
    msg: timedOut ? 'no answer within the timeout' : `network error: ${detail}`,
    httpStatus: 0,
    method: api.method,
    path: api.path,
    cause,
  });
}

/** True when a transport failure happened before the request reached the server (so repeating it cannot duplicate). */
export function neverSent(cause: unknown): boolean {
  const code = (cause as { cause?: { code?: string }; code?: string })?.cause?.code ?? (cause as { code?: string })?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
