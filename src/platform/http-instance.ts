import type { HttpInstance, HttpRequestOptions } from '@larksuiteoapi/node-sdk';
import type { Caller, CallRequest } from './caller.js';

/** Extra per-request fields our http instance understands (besides the SDK's). */
export interface HubRequestOptions<D = unknown> extends HttpRequestOptions<D> {
  /** Mark a write as safe to repeat on 5xx/timeouts (an idempotency key protects it). */
  $idempotent?: boolean;
  /** Store apps: whose tenant token to use. */
  $tenant_key?: string;
}

/**
 * An axios-compatible HttpInstance for the official SDK, backed by our pipeline: it unwraps the
 * body as the SDK's default instance does (or `{data, headers}` with `$return_headers`), streams
 * downloads (`responseType: 'stream'`), and throws FeishuApiError for every `code != 0`.
 *
 * @example
 * new lark.Client({ appId, appSecret, httpInstance: createHttpInstance(caller), disableTokenCache: true })
 */
export function createHttpInstance(caller: Caller): HttpInstance {
  const request = <R>(opts: HubRequestOptions): Promise<R> => caller.call(toCall(opts)) as Promise<R>;
  return {
    request,
    get: (url, opts) => request({ ...opts, url, method: 'GET' }),
    delete: (url, opts) => request({ ...opts, url, method: 'DELETE' }),
    head: (url, opts) => request({ ...opts, url, method: 'HEAD' }),
    options: (url, opts) => request({ ...opts, url, method: 'OPTIONS' }),
    post: (url, data, opts) => request({ ...opts, url, data, method: 'POST' }),
    put: (url, data, opts) => request({ ...opts, url, data, method: 'PUT' }),
    patch: (url, data, opts) => request({ ...opts, url, data, method: 'PATCH' }),
  };
}

function toCall(o: HubRequestOptions): CallRequest {
  return {
    method: o.method,
    url: o.url ?? '',
    params: o.params,
    data: o.data,
    headers: o.headers,
    responseType: o.responseType,
    returnHeaders: o.$return_headers,
    paramsSerializer: o.paramsSerializer,
    timeoutMs: o.timeout || undefined,
    idempotent: o.$idempotent,
    tenantKey: o.$tenant_key,
  };
}
