import { createReadStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as lark from '@larksuiteoapi/node-sdk';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { emulatorWithSdk, rawJson, sdkClient } from '../helpers/emulator.js';
import { demoChat, lastCall, PNG_1x1, readAll, sdkFailure } from '../helpers/im.js';

const OTHER = { appId: 'cli_0000000000000002', appSecret: 'other-secret' };
let emu: EmulatorHandle;
let client: lark.Client;
let other: lark.Client;
let ctl: Awaited<ReturnType<typeof emulatorWithSdk>>['control'];
const dir = mkdtempSync(join(tmpdir(), 'im-files-'));

beforeAll(async () => {
  ({ emu, client, control: ctl } = await emulatorWithSdk({ extraApps: [OTHER] }));
});
afterAll(() => emu.close());
beforeEach(async () => {
  await ctl.reset();
  client = sdkClient(emu);
  other = sdkClient(emu, OTHER);
});

const uploadImage = async (c: lark.Client, image: Buffer | NodeJS.ReadableStream, image_type: 'message' | 'avatar' = 'message') =>
  (await c.im.image.create({ data: { image_type, image: image as Buffer } }))!.image_key!;
const uploadFile = async (c: lark.Client, file: Buffer, file_type: 'pdf' | 'opus' | 'mp4' | 'stream', file_name: string, duration?: number) =>
  (await c.im.file.create({ data: { file_type, file_name, file, duration } }))!.file_key!;
const sendTo = async (c: lark.Client, msgType: string, content: unknown) =>
  (await c.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: demoChat(emu).chat_id, msg_type: msgType, content: JSON.stringify(content) } })).data!;

/** Minimal headers of the other formats the upload sniffs. */
const GIF = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0]), Buffer.alloc(20)]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x02, 0x00, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(16)]);
const BMP = Buffer.concat([Buffer.from('BM'), Buffer.alloc(16), Buffer.from([2, 0, 0, 0, 2, 0, 0, 0]), Buffer.alloc(8)]);

describe('images: POST/GET /open-apis/im/v1/images', () => {
  it('uploads a Buffer and a ReadStream through the SDK and downloads the bytes with their Content-Type', async () => {
    const fromBuffer = await uploadImage(client, PNG_1x1);
    expect(fromBuffer).toMatch(/^img_v2_/);
    const path = join(dir, 'pixel.png');
    writeFileSync(path, PNG_1x1);
    const fromStream = await uploadImage(client, createReadStream(path));
    expect(fromStream).toMatch(/^img_v2_/);
    const dl = await client.im.image.get({ path: { image_key: fromStream } });
    expect(dl.headers['content-type']).toBe('image/png');
    expect(await readAll(dl.getReadableStream())).toEqual(PNG_1x1);
    const out = join(dir, 'out.png');
    await (await client.im.image.get({ path: { image_key: fromBuffer } })).writeFile(out);
    expect(readFileSync(out)).toEqual(PNG_1x1);
    expect(await lastCall(emu, 'POST', '/open-apis/im/v1/images')).toMatchObject({ status: 200, code: 0 });
  });

  it('recognises JPEG, GIF, WEBP and BMP by their magic bytes', async () => {
    for (const [bytes, type] of [[JPEG, 'image/jpeg'], [GIF, 'image/gif'], [WEBP, 'image/webp'], [BMP, 'image/bmp']] as const) {
      const key = await uploadImage(client, bytes);
      expect((await client.im.image.get({ path: { image_key: key } })).headers['content-type']).toBe(type);
    }
  });

  it('refuses unknown formats (234011), empty (234010) and > 10 MB (234006) images', async () => {
    expect((await sdkFailure(uploadImage(client, Buffer.from('%PDF-1.7 not an image')))).data.code).toBe(234011);
    expect((await sdkFailure(uploadImage(client, Buffer.alloc(0)))).data.code).toBe(234010);
    const big = Buffer.concat([PNG_1x1, Buffer.alloc(10 * 1024 * 1024)]);
    const f = await sdkFailure(uploadImage(client, big));
    expect(f).toMatchObject({ status: 400, data: { code: 234006 } });
    expect(await lastCall(emu, 'POST', '/open-apis/im/v1/images')).toMatchObject({ status: 400, code: 234006 });
  });

  it("refuses to download another app's image or an avatar (234008)", async () => {
    const theirs = await uploadImage(other, PNG_1x1);
    const f = await sdkFailure(client.im.image.get({ path: { image_key: theirs } }));
    expect(f).toMatchObject({ status: 400, data: { code: 234008 } });
    expect(f.data.error.log_id).toBeTruthy();
    const avatar = await uploadImage(client, PNG_1x1, 'avatar');
    expect((await sdkFailure(client.im.image.get({ path: { image_key: avatar } }))).data.code).toBe(234008);
  });
});

describe('files: POST/GET /open-apis/im/v1/files', () => {
  it('uploads with file_type, file_name and duration and downloads the same bytes', async () => {
    const pdf = Buffer.from('%PDF-1.7\n%fake but non-empty');
    const key = await uploadFile(client, pdf, 'pdf', '季度报告.pdf');
    expect(key).toMatch(/^file_v2_/);
    const dl = await client.im.file.get({ path: { file_key: key } });
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(dl.headers['content-disposition']).toContain(encodeURIComponent('季度报告.pdf'));
    expect(await readAll(dl.getReadableStream())).toEqual(pdf);
    const upload = emu.state.uploads.get(await uploadFile(client, Buffer.from('OggS…'), 'opus', 'voice.opus', 3000))!;
    expect(upload).toMatchObject({ kind: 'file', type: 'opus', duration: 3000, file_name: 'voice.opus' });
  });

  it('refuses empty files (234010), bad file types, and other apps downloading (234008)', async () => {
    expect((await sdkFailure(uploadFile(client, Buffer.alloc(0), 'pdf', 'empty.pdf'))).data.code).toBe(234010);
    expect((await sdkFailure(uploadFile(client, Buffer.from('x'), 'exe' as 'pdf', 'a.exe'))).data.code).toBe(234001);
    const key = await uploadFile(client, Buffer.from('data'), 'stream', 'a.bin');
    expect((await sdkFailure(other.im.file.get({ path: { file_key: key } }))).data.code).toBe(234008);
    const notMultipart = await rawJson(`${emu.url}/open-apis/im/v1/files`, 'POST', { file_type: 'pdf' }, { authorization: `Bearer ${await token()}` });
    expect(notMultipart.json.code).toBe(234001);
  });
});

describe('messages with resources', () => {
  it('sends image and file messages; readers see file names; the resource API serves only keys in the message', async () => {
    const image = await uploadImage(client, PNG_1x1);
    const file = await uploadFile(client, Buffer.from('%PDF-1.7 report'), 'pdf', 'report.pdf');
    const imgMsg = await sendTo(client, 'image', { image_key: image });
    const fileMsg = await sendTo(client, 'file', { file_key: file });
    expect(JSON.parse(fileMsg.body!.content)).toEqual({ file_key: file, file_name: 'report.pdf' });
    const res = await client.im.messageResource.get({ path: { message_id: imgMsg.message_id!, file_key: image }, params: { type: 'image' } });
    expect(res.headers['content-type']).toBe('image/png');
    expect(await readAll(res.getReadableStream())).toEqual(PNG_1x1);
    const fres = await client.im.messageResource.get({ path: { message_id: fileMsg.message_id!, file_key: file }, params: { type: 'file' } });
    expect((await readAll(fres.getReadableStream())).toString()).toBe('%PDF-1.7 report');
    const notInMessage = await sdkFailure(client.im.messageResource.get({ path: { message_id: imgMsg.message_id!, file_key: file }, params: { type: 'file' } }));
    expect(notInMessage).toMatchObject({ status: 400, data: { code: 234003 } });
    expect(await lastCall(emu, 'GET', `/open-apis/im/v1/messages/${imgMsg.message_id}/resources/${file}`)).toMatchObject({ status: 400, code: 234003 });
  });

  it('serves images of a post, refuses cards (234043), and refuses bad types', async () => {
    const image = await uploadImage(client, PNG_1x1);
    const post = await sendTo(client, 'post', { en_us: { title: 'shot', content: [[{ tag: 'img', image_key: image }]] } });
    const res = await client.im.messageResource.get({ path: { message_id: post.message_id!, file_key: image }, params: { type: 'image' } });
    expect(await readAll(res.getReadableStream())).toEqual(PNG_1x1);
    const card = await sendTo(client, 'interactive', { elements: [{ tag: 'img', img_key: image, alt: { tag: 'plain_text', content: 'x' } }] });
    expect((await sdkFailure(client.im.messageResource.get({ path: { message_id: card.message_id!, file_key: image }, params: { type: 'image' } }))).data.code).toBe(234043);
    expect((await sdkFailure(client.im.messageResource.get({ path: { message_id: post.message_id!, file_key: image }, params: { type: 'video' as 'image' } }))).data.code).toBe(234001);
  });

  it("refuses another app's keys (230017) and audio/media of the wrong file type (230055)", async () => {
    const theirs = await uploadImage(other, PNG_1x1);
    expect((await sdkFailure(sendTo(client, 'image', { image_key: theirs }))).data.code).toBe(230017);
    const pdf = await uploadFile(client, Buffer.from('%PDF'), 'pdf', 'a.pdf');
    expect((await sdkFailure(sendTo(client, 'audio', { file_key: pdf }))).data.code).toBe(230055);
    expect((await sdkFailure(sendTo(client, 'media', { file_key: pdf }))).data.code).toBe(230055);
    const opus = await uploadFile(client, Buffer.from('OggS'), 'opus', 'v.opus', 1500);
    const audio = await sendTo(client, 'audio', { file_key: opus });
    expect(JSON.parse(audio.body!.content)).toEqual({ file_key: opus, duration: 1500 });
  });
});

async function token(): Promise<string> {
  const r = await rawJson(`${emu.url}/open-apis/auth/v3/tenant_access_token/internal`, 'POST', { app_id: emu.app.appId, app_secret: emu.app.appSecret });
  return r.json.tenant_access_token;
}
