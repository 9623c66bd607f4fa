import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from '../../src/emulator/index.js';

/** A running emulator plus an official SDK client pointed at it (with its own token cache). */
export async function emulatorWithSdk(options: EmulatorOptions = {}) {
  const emu = await startEmulator({ port: 0, ...options });
  const client = sdkClient(emu);
  return { emu, client, control: control(emu) };
}

export function sdkClient(emu: EmulatorHandle, extra: Partial<ConstructorParameters<typeof lark.Client>[0]> = {}) {
  return new lark.Client({
    appId: emu.app.appId,
    appSecret: emu.app.appSecret,
    domain: emu.url,
    cache: new lark.DefaultCache(),
    loggerLevel: lark.LoggerLevel.error,
    logger: { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} },
    ...extra,
  });
}

/** What `useEmulator` gives a test file; the fields are set once its hooks have run. */
export interface EmulatorPerFile {
  emu: EmulatorHandle;
  ctl: ReturnType<typeof control>;
  /** A fresh official SDK client for each test. */
  client: lark.Client;
}

/**
 * One emulator for the test file, reset before each test. A reset revokes tokens, so each test also
 * gets a new SDK client whose token cache starts empty. Registers the hooks; read the fields in tests.
 *
 * @example
 * const env = useEmulator();
 * it('sends', async () => { await env.client.im.message.create(...); });
 */
export function useEmulator(options: EmulatorOptions = {}): EmulatorPerFile {
  const env = {} as EmulatorPerFile;
  beforeAll(async () => {
    env.emu = await startEmulator({ port: 0, ...options });
    env.ctl = control(env.emu);
  });
  afterAll(() => env.emu?.close());
  beforeEach(async () => {
    await env.ctl.reset();
    env.client = sdkClient(env.emu);
  });
  return env;
}

/** Small client for the control API (`/__emulator/*`). */
export function control(emu: { url: string }) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emu.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    call,
    state: async () => (await call('GET', '/__emulator/state')).body,
    reset: () => call('POST', '/__emulator/reset', {}),
    fault: (f: Record<string, unknown>) => call('POST', '/__emulator/faults', f),
    clearFaults: () => call('DELETE', '/__emulator/faults'),
    advance: (ms: number) => call('POST', '/__emulator/clock', { advance_ms: ms }),
    rateLimits: (s: { enabled?: boolean; scale?: number }) => call('POST', '/__emulator/rate-limits', s),
  };
}

/** Raw JSON POST to the emulator, for shapes the SDK hides. */
export async function rawJson(url: string, method: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, ...(await readJson(res)) };
}

/** A response's text and, when it is JSON, the parsed body (undefined otherwise). */
export async function readJson(res: Response): Promise<{ text: string; json: any }> {
  const text = await res.text();
  try {
    return { text, json: JSON.parse(text) };
  } catch {
    return { text, json: undefined };
  }
}
