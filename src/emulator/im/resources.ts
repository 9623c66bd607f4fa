import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireTenant } from '../auth/index.js';
import { caller, type EmulatorContext } from '../context.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import { ok } from '../http.js';
import type { UploadRecord } from '../types.js';
import { referencedKeys } from './content.js';
import { imErrors } from './errors.js';
import { sniffImage } from './image-sniff.js';
import { ImState } from './state.js';

const MB = 1024 * 1024;
const IMAGE_LIMIT_MB = 10;
const FILE_LIMIT_MB = 30;
const FILE_TYPES: Record<string, string> = {
  opus: 'audio/opus',
  mp4: 'video/mp4',
  pdf: 'application/pdf',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  stream: 'application/octet-stream',
};

/** Image and file upload/download, and the download of a resource carried by a message. */
export function registerResourceRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/open-apis/im/v1/images', async (request, reply) => {
    requireTenant(request);
    const appId = caller(request).appId;
    const { fields, file } = await readMultipart(request, 'image');
    const imageType = fields.image_type;
    if (imageType !== 'message' && imageType !== 'avatar') throw imErrors.resourceParam('image_type must be message or avatar');
    if (!file) throw imErrors.resourceParam('image is required');
    if (file.length === 0) throw imErrors.resourceEmpty();
    if (file.length > IMAGE_LIMIT_MB * MB) throw imErrors.resourceTooBig(IMAGE_LIMIT_MB);
    const img = sniffImage(file);
    if (!img) throw imErrors.imageFormat();
    const maxSide = imageType === 'avatar' ? 4096 : img.format === 'gif' ? 2000 : 12000;
    if ((img.width ?? 0) > maxSide || (img.height ?? 0) > maxSide) throw imErrors.imageResolution(maxSide);
    const rec = store(ctx, { key: newId.image(), kind: 'image', app_id: appId, type: imageType, content_type: img.contentType, data: file });
    return ok(reply, { image_key: rec.key });
  });

  app.get('/open-apis/im/v1/images/:image_key', async (request, reply) => {
    requireTenant(request);
    const appId = caller(request).appId;
    const { image_key } = request.params as { image_key: string };
    const u = ctx.slice(ImState).uploads.get(image_key);
    // Only message images the app uploaded itself can be downloaded by key.
    if (!u || u.kind !== 'image' || u.app_id !== appId || u.type !== 'message') throw imErrors.resourceNotOwner();
    return sendBinary(reply, u);
  });

  app.post('/open-apis/im/v1/files', async (request, reply) => {
    requireTenant(request);
    const appId = caller(request).appId;
    const { fields, file } = await readMultipart(request, 'file');
    const fileType = fields.file_type;
    if (!fileType || !FILE_TYPES[fileType]) throw imErrors.resourceParam(`file_type must be one of ${Object.keys(FILE_TYPES).join(', ')}`);
    const fileName = fields.file_name;
    if (!fileName) throw imErrors.resourceParam('file_name is required');
    let duration: number | undefined;
    if (fields.duration !== undefined && fields.duration !== '') {
      duration = Number(fields.duration);
      if (!Number.isInteger(duration) || duration < 0) throw imErrors.resourceParam('duration must be an integer number of milliseconds');
    }
    if (!file) throw imErrors.resourceParam('file is required');
    if (file.length === 0) throw imErrors.resourceEmpty();
    if (file.length > FILE_LIMIT_MB * MB) throw imErrors.resourceTooBig(FILE_LIMIT_MB);
    const rec = store(ctx, {
      key: newId.file(),
      kind: 'file',
      app_id: appId,
      type: fileType,
      file_name: fileName,
      ...(duration !== undefined ? { duration } : {}),
      content_type: FILE_TYPES[fileType],
      data: file,
    });
    return ok(reply, { file_key: rec.key });
  });

  app.get('/open-apis/im/v1/files/:file_key', async (request, reply) => {
    requireTenant(request);
    const appId = caller(request).appId;
    const { file_key } = request.params as { file_key: string };
    const u = ctx.slice(ImState).uploads.get(file_key);
    if (!u || u.kind !== 'file' || u.app_id !== appId) throw imErrors.resourceNotOwner();
    return sendBinary(reply, u);
  });

  app.get('/open-apis/im/v1/messages/:message_id/resources/:file_key', async (request, reply) => {
    const auth = caller(request);
    const { message_id, file_key } = request.params as { message_id: string; file_key: string };
    const type = (request.query as Record<string, unknown>).type;
    if (type !== 'image' && type !== 'file') throw imErrors.resourceParam('type must be image or file');
    const msg = ctx.slice(ImState).messages.get(message_id);
    if (!msg || msg.deleted) throw imErrors.resourceParam(`message_id ${message_id} does not exist`);
    const chat = ctx.slice(ImState).chats.get(msg.chat_id);
    // With a user token the user must be in the chat; with a tenant token, the app's bot.
    const inChat = auth.kind === 'user' ? chat?.members.includes(auth.openId ?? '') : chat?.bots.includes(auth.appId);
    if (!inChat) throw imErrors.resourceAppNotInChat();
    if (['interactive', 'sticker', 'merge_forward'].includes(msg.msg_type)) throw imErrors.resourceUnsupported();
    const keys = referencedKeys(msg.msg_type, msg.content);
    if (!(type === 'image' ? keys.images : keys.files).has(file_key)) throw imErrors.resourceNotInMessage();
    const u = ctx.slice(ImState).uploads.get(file_key);
    if (!u) throw imErrors.resourceNotInMessage();
    return sendBinary(reply, u);
  });
}

function store(ctx: EmulatorContext, u: Omit<UploadRecord, 'create_time'>): UploadRecord {
  const rec: UploadRecord = { ...u, create_time: ctx.clock.now() };
  ctx.slice(ImState).uploads.set(rec.key, rec);
  return rec;
}

function sendBinary(reply: FastifyReply, u: UploadRecord) {
  reply.header('content-type', u.content_type);
  if (u.file_name) reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(u.file_name)}`);
  return reply.send(u.data);
}

/**
 * The form fields and the single file of a multipart upload. Bodies that are not
 * multipart, or a file part under another name, are the platform's invalid-param error.
 */
async function readMultipart(request: FastifyRequest, fileField: string): Promise<{ fields: Record<string, string>; file?: Buffer }> {
  if (!request.isMultipart()) throw imErrors.resourceParam('the body must be multipart/form-data');
  const fields: Record<string, string> = {};
  let file: Buffer | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        if (part.fieldname === fileField) file = data;
      } else if (typeof part.value === 'string' || typeof part.value === 'number') {
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw imErrors.resourceTooBig(fileField === 'image' ? IMAGE_LIMIT_MB : FILE_LIMIT_MB);
    throw imErrors.resourceParam(`malformed multipart body: ${(err as Error).message}`);
  }
  return { fields, file };
}
