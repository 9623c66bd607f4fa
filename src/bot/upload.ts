import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Readable } from 'node:stream';

/** A file to upload: a path, bytes, or a stream (read once, so a retry sends the same bytes). */
export type UploadSource = string | Buffer | Uint8Array | Readable;

export type FileType = 'opus' | 'mp4' | 'pdf' | 'doc' | 'xls' | 'ppt' | 'stream';

const BY_EXTENSION: Record<string, FileType> = {
  '.opus': 'opus',
  '.mp4': 'mp4',
  '.pdf': 'pdf',
  '.doc': 'doc',
  '.docx': 'doc',
  '.xls': 'xls',
  '.xlsx': 'xls',
  '.ppt': 'ppt',
  '.pptx': 'ppt',
};

/** The file_type Feishu wants for a file name (anything unknown is `stream`). @example fileTypeOf('q3.xlsx') // 'xls' */
export function fileTypeOf(fileName: string): FileType {
  return BY_EXTENSION[extname(fileName).toLowerCase()] ?? 'stream';
}

/** The bytes and a name for an upload source. */
export async function readSource(source: UploadSource, fallbackName: string): Promise<{ bytes: Buffer; name: string }> {
  if (typeof source === 'string') return { bytes: await readFile(source), name: basename(source) };
  if (Buffer.isBuffer(source)) return { bytes: source, name: fallbackName };
  if (source instanceof Uint8Array) return { bytes: Buffer.from(source), name: fallbackName };
  const chunks: Buffer[] = [];
  for await (const c of source) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c as Uint8Array));
  const path = (source as { path?: unknown }).path;
  return { bytes: Buffer.concat(chunks), name: typeof path === 'string' ? basename(path) : fallbackName };
}
