import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { DirectoryState, initialsSvg } from '../directory/index.js';
import { ImState } from './state.js';

/** `GET /__emulator/avatars/:id`: users' initials, and chats' uploaded avatars (initials when they have none). */
export function registerAvatarRoute(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/__emulator/avatars/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const size = Math.min(Math.max(Number((request.query as { size?: string }).size) || 240, 16), 1024);
    const im = ctx.slice(ImState);
    const user = ctx.slice(DirectoryState).findUser(id, 'open_id');
    const chat = user ? undefined : im.chats.get(id);
    if (!user && !chat) return reply.status(404).send({ error: 'no such user or chat' });
    const upload = chat?.avatar ? im.uploads.get(chat.avatar) : undefined;
    if (upload) return reply.type(upload.content_type).send(upload.data);
    const name = user ? user.en_name || user.name : chat!.name;
    return reply.type('image/svg+xml').header('cache-control', 'public, max-age=3600').send(initialsSvg(id, name, size));
  });
}
