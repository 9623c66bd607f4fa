import { readJson } from './emulator.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { createLogger } from '../../src/config/index.js';
import { createServer } from 'node:http';
import { createEventRequestHandler, inboundReceiver, withFastPath, type ReceiverOptions } from '../../src/events/index.js';
import { Inbox, openDatabase, type Store } from '../../src/store/index.js';

export const ENCRYPT_KEY = 'test-encrypt-key-0123456789';
export const TOKEN = 'test-verification-token-abc';
export const APP_ID = 'cli_a1b2c3d4e5f60708';

/** A receiver on a real port with a real SQLite inbox and a logger whose lines tests can read. */
export async function startReceiver(options: Partial<ReceiverOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-recv-'));
  const store: Store = await openDatabase(`sqlite:${join(dir, 'hub.db')}`);
  const inbox = new Inbox(store);
  const logs: Record<string, any>[] = [];
  const rawLog: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        rawLog.push(line);
        logs.push(JSON.parse(line));
      }
      cb();
    },
  });
  const logger = createLogger({ level: 'debug', destination, secrets: [ENCRYPT_KEY, TOKEN] });
  // Served as src/server/runtime.ts serves it: POST /webhook/event on the raw fast path, the rest through Fastify.
  const receiverOptions: ReceiverOptions = { encryptKeys: [ENCRYPT_KEY], verificationTokens: [TOKEN], appId: APP_ID, ...options, inbox, logger };
  let app;
  try {
    const fastPath = createEventRequestHandler(receiverOptions);
    app = Fastify({ logger: false, serverFactory: (handler) => createServer(withFastPath(fastPath, handler)) });
    await app.register(inboundReceiver, receiverOptions);
  } catch (err) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const post = async (path: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    const res = await fetch(url + path, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
    return { status: res.status, ...(await readJson(res)) };
  };
  return {
    url,
    app,
    inbox,
    store,
    logs,
    rawLog,
    post,
    async close() {
      await app.close();
      await inbox.drain();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let seq = 0;
/** A v2 event envelope with a fresh id. */
export function v2Event(type = 'im.message.receive_v1', over: { token?: string; appId?: string; eventId?: string } = {}) {
  return {
    schema: '2.0',
    header: {
      event_id: over.eventId ?? `ev_${process.pid}_${++seq}_${Math.random().toString(36).slice(2)}`,
      token: over.token ?? TOKEN,
      create_time: String(Date.now()),
      event_type: type,
      tenant_key: 'tenant_1',
      app_id: over.appId ?? APP_ID,
    },
    event: { message: { message_id: 'om_1', chat_id: 'oc_1', content: '{"text":"hi"}' } },
  };
}
