/**
 * Outbound rate under the platform's limits: `node bin/run-ts.js bench/outbound-rate.bench.ts [messages] [chats]`
 * (or `npm run bench -- outbound`; `--quick` is accepted and changes nothing: the run takes ≈ 25 s).
 *
 * Each contender gets a fresh emulator with the platform's limits on (5/s per chat, 50/s and
 * 1000/min per app and API) and sends `messages` (default 500) texts spread over `chats` (default 5)
 * groups, all requested at once — the way a burst of alerts arrives:
 *   feishu-hub  Messenger over createPlatform(): client-side limits that mirror the platform's
 *   plain SDK   the official lark.Client, Promise.all over the same sends (it has no limiter or retry)
 *
 * "of limit" is delivered ÷ what the platform's limit allowed in the one-second windows the run
 * used: the emulator enforces fixed windows aligned to its clock, so the bound is limit × the number
 * of windows from the one holding the first accepted send to the one holding the last (read from the
 * emulator's call log). A client that fills every window it touches scores 1.0; each window it leaves
 * partly empty costs it (at 500 messages and 25/s, one wasted window is −0.048).
 * 429s are counted by the emulator (its call log), not by the client.
 * Floor (the acceptance): feishu-hub ≥ 0.95 of the enforced limit with 0 × 429 and nothing lost.
 * "delivered ÷ elapsed ÷ limit" is printed beside it for information (wall clock, no windows).
 */
import * as lark from '@larksuiteoapi/node-sdk';
import { Messenger } from '../src/bot/index.js';
import { startEmulator, type EmulatorHandle } from '../src/emulator/index.js';
import { createPlatform } from '../src/platform/index.js';
import { reportResult } from './result.js';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const MESSAGES = Number(positional[0] ?? 500);
const CHATS = Number(positional[1] ?? 5);
const PER_CHAT = 5;
const APP_PER_SECOND = 50;
const LIMIT = Math.min(CHATS * PER_CHAT, APP_PER_SECOND);
const FLOOR = 0.95;
if (MESSAGES > 1000) console.warn('note: above 1000 messages the per-minute limit (1000/min) binds; "of limit" uses the per-second limit only');

interface Result {
  name: string;
  delivered: number;
  lost: number;
  refused: number;
  seconds: number;
  /** One-second windows of the emulator clock from the first accepted send to the last, inclusive. */
  windows: number;
}

async function groups(emu: EmulatorHandle): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < CHATS; i++) {
    const res = await fetch(`${emu.url}/__emulator/chats`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `bench ${i}`, bot: true }),
    });
    ids.push(((await res.json()) as { chat_id: string }).chat_id);
  }
  return ids;
}

async function contender(name: string, send: (emu: EmulatorHandle, chat: string, text: string) => Promise<unknown>, warm: (emu: EmulatorHandle) => Promise<unknown>): Promise<Result> {
  const emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  try {
    const chats = await groups(emu);
    await warm(emu); // the token, so both runs time the sends only
    const before = emu.state.calls.length;
    const started = performance.now();
    const outcomes = await Promise.allSettled(Array.from({ length: MESSAGES }, (_, i) => send(emu, chats[i % CHATS], `bench ${i}`)));
    const seconds = (performance.now() - started) / 1000;
    const delivered = [...emu.state.messages.values()].filter((m) => m.content.includes('bench ')).length;
    const calls = emu.state.calls.slice(before);
    const refused = calls.filter((c) => c.status === 429).length;
    const accepted = calls.filter((c) => c.method === 'POST' && c.path === '/open-apis/im/v1/messages' && c.status === 200).map((c) => Math.floor(c.time / 1000));
    const windows = accepted.length ? Math.max(...accepted) - Math.min(...accepted) + 1 : 1;
    return { name, delivered, lost: outcomes.filter((o) => o.status === 'rejected').length, refused, seconds, windows };
  } finally {
    await emu.close();
  }
}

const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} };
const messengers = new Map<EmulatorHandle, Messenger>();
const messengerFor = (emu: EmulatorHandle) => {
  let m = messengers.get(emu);
  if (!m) messengers.set(emu, (m = new Messenger(createPlatform({ appId: emu.app.appId, appSecret: emu.app.appSecret, domain: emu.url }))));
  return m;
};
const sdks = new Map<EmulatorHandle, lark.Client>();
const sdkFor = (emu: EmulatorHandle) => {
  let c = sdks.get(emu);
  if (!c) {
    c = new lark.Client({ appId: emu.app.appId, appSecret: emu.app.appSecret, domain: emu.url, cache: new lark.DefaultCache(), loggerLevel: lark.LoggerLevel.error, logger: silent });
    sdks.set(emu, c);
  }
  return c;
};

const results: Result[] = [];
results.push(
  await contender(
    'feishu-hub',
    (emu, chat, text) => messengerFor(emu).sendText(chat, text),
    (emu) => messengerFor(emu).platform.tokens.tenantToken(),
  ),
);
results.push(
  await contender(
    'plain SDK',
    async (emu, chat, text) => {
      const res = await sdkFor(emu).im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chat, msg_type: 'text', content: JSON.stringify({ text }) } });
      if (res.code !== 0) throw new Error(`code ${res.code}`);
    },
    (emu) => sdkFor(emu).im.v1.chat.list({}),
  ),
);

const ofLimit = (r: Result) => r.delivered / (LIMIT * r.windows);
console.log(`\n${MESSAGES} messages to ${CHATS} chats, all requested at once; enforced limit ${LIMIT}/s (${PER_CHAT}/s per chat, ${APP_PER_SECOND}/s per app)\n`);
const rows = [
  ['contender', 'delivered', 'lost', '429s', 'elapsed', 'delivered/s', 'of limit'],
  ...results.map((r) => [r.name, String(r.delivered), String(r.lost), String(r.refused), `${r.seconds.toFixed(2)} s`, `${(r.delivered / r.seconds).toFixed(1)}/s`, ofLimit(r).toFixed(3)]),
];
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   '));

const hub = results[0];
const sdk = results[1];
const capacity = (r: Result) => LIMIT * r.windows;
const rateOk = ofLimit(hub) >= FLOOR;
const cleanOk = hub.refused === 0 && hub.lost === 0 && hub.delivered === MESSAGES;
console.log(
  `\nfeishu-hub: ${ofLimit(hub).toFixed(3)} of the enforced limit (floor ${FLOOR}), ${hub.refused} × 429, ${hub.lost} lost — ${rateOk && cleanOk ? 'PASS' : 'FAIL'}`,
);
console.log(`plain SDK: ${sdk.refused} × 429 and ${sdk.lost} of ${MESSAGES} messages lost (the SDK neither waits nor retries)`);
reportResult({
  name: 'outbound-rate',
  rows: [
    {
      figure: `feishu-hub: delivered ÷ enforced limit (${LIMIT}/s × the ${hub.windows} one-second windows used)`,
      value: `${hub.delivered} in ${hub.seconds.toFixed(2)} s`,
      reference: `≤ ${capacity(hub)} (plain SDK: ${sdk.delivered} of ${MESSAGES} delivered)`,
      ratio: Number(ofLimit(hub).toFixed(3)),
      floor: `≥ ${FLOOR}`,
      pass: rateOk,
    },
    {
      figure: 'feishu-hub: 429s (emulator call log), messages lost',
      value: `${hub.refused} × 429, ${hub.lost} lost`,
      reference: `plain SDK: ${sdk.refused} × 429, ${sdk.lost} lost`,
      ratio: null,
      floor: '0 × 429, 0 lost',
      pass: cleanOk,
    },
    {
      figure: 'feishu-hub: delivered ÷ elapsed ÷ limit (no window rounding)',
      value: `${(hub.delivered / hub.seconds).toFixed(1)}/s`,
      reference: `${LIMIT}/s`,
      ratio: Number((hub.delivered / hub.seconds / LIMIT).toFixed(3)),
      floor: null,
      pass: null,
    },
  ],
});
// End here rather than wait for whatever handles the clients still hold.
process.exit(process.exitCode);
