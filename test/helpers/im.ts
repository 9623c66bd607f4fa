import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import type { ChatRecord } from '../../src/emulator/types.js';

/**
 * What an SDK call that failed with HTTP ≥ 400 carried: axios throws, and the platform's
 * envelope is in `response.data` (a stream for download methods, read here).
 */
export async function sdkFailure(p: Promise<unknown>): Promise<{ status: number; data: any; headers: Record<string, string> }> {
  try {
    await p;
  } catch (e: any) {
    if (!e?.response) throw e;
    let data = e.response.data;
    if (data && typeof data.pipe === 'function') data = JSON.parse((await readAll(data)).toString('utf8'));
    return { status: e.response.status, data, headers: e.response.headers ?? {} };
  }
  throw new Error('expected the SDK call to fail');
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

export const demoChat = (emu: EmulatorHandle): ChatRecord => [...emu.state.chats.values()].find((c) => c.name === 'feishu-hub demo')!;
export const user = (emu: EmulatorHandle, key: string) => emu.state.users.find((u) => u.user_id === key)!;

/** A group chat added straight into the state (the bot is in it unless `bots` says otherwise). */
export function addGroup(emu: EmulatorHandle, patch: Partial<ChatRecord> = {}): ChatRecord {
  const chat: ChatRecord = { ...demoChat(emu), chat_id: `oc_${randomBytes(16).toString('hex')}`, name: 'extra group', ...patch };
  emu.state.chats.set(chat.chat_id, chat);
  return chat;
}

/** A 1×1 PNG. */
export const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

/** The last call log entry for a method and path, from the control API's state. */
export async function lastCall(emu: EmulatorHandle, method: string, path: string | RegExp) {
  const res = await fetch(`${emu.url}/__emulator/state`);
  const state = (await res.json()) as { calls: { method: string; path: string; status: number; code: number | null }[] };
  const matches = state.calls.filter((c) => c.method === method && (typeof path === 'string' ? c.path === path : path.test(c.path)));
  return matches.at(-1);
}
