import { Readable } from 'node:stream';
import { basename } from 'node:path';

/** One HTTP request, ready to send (again): the body is rebuilt for every attempt. */
export interface OutgoingRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: () => BodyInit | undefined;
  responseType?: string;
  timeoutMs: number;
}

export interface IncomingResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON, text, a Buffer (arraybuffer) or a Node Readable (stream). */
  data: unknown;
}

/** A request that got no HTTP answer. */
export class TransportFailure extends Error {
  constructor(override readonly cause: unknown, readonly timedOut: boolean) {
    super(timedOut ? 'timeout' : 'network error');
  }
}

/** Builds a body factory from the SDK's `data`: JSON, text, bytes, or multipart for uploads. */
export async function prepareBody(
  data: unknown,
  headers: Record<string, string>,
): Promise<(() => BodyInit | undefined) | undefined> {
  if (data === undefined || data === null) return undefined;
  const type = headers['content-type'] ?? '';
  if (type.includes('multipart/form-data') && typeof data === 'object' && !isBinary(data)) {
    // fetch writes its own boundary; streams are read once so a retry can send the same bytes.
    delete headers['content-type'];
    const parts: [string, string | { bytes: Buffer; name: string }][] = [];
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      if (isBinary(v) || isReadable(v)) parts.push([k, { bytes: await toBuffer(v), name: fileNameOf(v, data as Record<string, unknown>, k) }]);
      else parts.push([k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
    }
    return () => {
      const form = new FormData();
      for (const [k, v] of parts) {
        if (typeof v === 'string') form.append(k, v);
        else form.append(k, new Blob([new Uint8Array(v.bytes)]), v.name);
      }
      return form;
    };
  }
  if (typeof data === 'string') return () => data;
  if (isBinary(data)) {
    const bytes = new Uint8Array(Buffer.from(data as Uint8Array));
    return () => bytes;
  }
  if (isReadable(data)) {
    const bytes = new Uint8Array(await toBuffer(data));
    return () => bytes;
  }
  if (!type) headers['content-type'] = 'application/json; charset=utf-8';
  const json = JSON.stringify(data);
  return () => json;
}

/** Sends once, with a timeout on the whole exchange (for streams: until the headers arrive). */
export async function sendOnce(req: OutgoingRequest): Promise<IncomingResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, req.timeoutMs);
  try {
    const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body?.(), signal: controller.signal, redirect: 'follow' });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    const ok = res.status < 400;
    if (ok && req.responseType === 'stream' && res.body) {
      clearTimeout(timer); // a large download may take longer than an API call
      return { status: res.status, headers, data: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream) };
    }
    const buf = Buffer.from(await res.arrayBuffer());
    if (ok && req.responseType === 'arraybuffer') return { status: res.status, headers, data: buf };
    const text = buf.toString('utf8');
    let data: unknown = text;
    if (text && (headers['content-type']?.includes('json') || /^\s*[{[]/.test(text))) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    return { status: res.status, headers, data };
  } catch (err) {
    throw new TransportFailure(err, timedOut);
  } finally {
    clearTimeout(timer);
  }
}

/** Query string the SDK's way (its paramsSerializer when given: arrays repeated, falsy dropped). */
export function serializeParams(params: Record<string, unknown> | undefined, serializer?: unknown): string {
  if (!params) return '';
  if (typeof serializer === 'function') return String((serializer as (p: unknown) => string)(params) ?? '');
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) qs.append(k, String(item));
    else qs.append(k, String(v));
  }
  return qs.toString();
}

function isBinary(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array || v instanceof ArrayBuffer;
}

function isReadable(v: unknown): v is NodeJS.ReadableStream {
  return typeof v === 'object' && v !== null && typeof (v as { pipe?: unknown }).pipe === 'function' && typeof (v as { on?: unknown }).on === 'function';
}

async function toBuffer(v: unknown): Promise<Buffer> {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (v instanceof ArrayBuffer) return Buffer.from(new Uint8Array(v));
  const chunks: Buffer[] = [];
  for await (const chunk of v as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

function fileNameOf(v: unknown, data: Record<string, unknown>, field: string): string {
  const path = (v as { path?: unknown }).path;
  if (typeof path === 'string') return basename(path);
  if (typeof data.file_name === 'string' && data.file_name) return data.file_name;
  return field;
}
