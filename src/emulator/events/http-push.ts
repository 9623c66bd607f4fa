import http from 'node:http';
import https from 'node:https';

export interface PushResult {
  /** HTTP status when the app answered. */
  status?: number;
  /** The answer's body (capped), for card callbacks and url_verification. */
  body?: string;
  /** `timeout`, `connect_failed`, `dns_failed`, `bad_url` or the socket error, when there was no answer. */
  error?: string;
  duration_ms: number;
}

const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * POSTs one push to an app's URL and waits at most `timeoutMs` (real time) for the
 * whole answer, like the platform's 3 s deadline. Never throws.
 */
export function postPush(url: string, body: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<PushResult> {
  const started = performance.now();
  const done = (r: Omit<PushResult, 'duration_ms'>): PushResult => ({ ...r, duration_ms: Math.round((performance.now() - started) * 100) / 100 });
  let target: URL;
  try {
    target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http');
  } catch {
    return Promise.resolve(done({ error: 'bad_url' }));
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Omit<PushResult, 'duration_ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(r));
    };
    const lib = target.protocol === 'https:' ? https : http;
    const req = lib.request(
      target,
      {
        method: 'POST',
        // One connection per push: no pooled sockets left behind when the emulator stops.
        agent: false,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Feishu-Emulator/1.0 (feishu-hub)' },
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(c);
        });
        res.on('end', () => finish({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => finish({ status: res.statusCode, error: e.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ error: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') finish({ error: 'dns_failed' });
      else if (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' || e.code === 'EHOSTUNREACH') finish({ error: 'connect_failed' });
      else finish({ error: signal?.aborted ? 'aborted' : e.message });
    });
    req.end(body);
  });
}
