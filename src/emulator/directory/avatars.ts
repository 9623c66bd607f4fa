import { createHash } from 'node:crypto';
import type { EmulatorContext } from '../context.js';

const COLORS = ['#3370ff', '#00b8a9', '#7f3bf5', '#f54a45', '#ff8800', '#2ea121', '#d136d1', '#4e83fd'];

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A round avatar with the initials of a name, coloured by the id: no image files needed, nothing fetched. */
export function initialsSvg(id: string, name: string, size = 240): string {
  const color = COLORS[createHash('sha256').update(id).digest()[0] % COLORS.length];
  const words = name.trim().split(/\s+/).filter(Boolean);
  const initials = (/^[\x20-\x7e]+$/.test(name) ? words.slice(0, 2).map((w) => w[0]!.toUpperCase()).join('') : [...name.trim()].slice(-2).join('')) || '?';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100">` +
    `<circle cx="50" cy="50" r="50" fill="${color}"/>` +
    `<text x="50" y="50" dy=".35em" text-anchor="middle" font-family="sans-serif" font-size="36" fill="#fff">${escapeXml(initials)}</text></svg>`
  );
}

/** Avatar URLs of users and chats point here (`GET /__emulator/avatars/:id?size=`). */
export function avatarUrl(ctx: EmulatorContext, id: string, size?: number): string {
  return `${ctx.baseUrl()}/__emulator/avatars/${encodeURIComponent(id)}${size ? `?size=${size}` : ''}`;
}
