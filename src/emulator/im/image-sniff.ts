/** Image formats the upload API accepts, recognised by their magic bytes as the platform does. */
export interface SniffedImage {
  format: 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'ico' | 'tiff';
  contentType: string;
  /** Pixel size when the header tells it cheaply (undefined otherwise). */
  width?: number;
  height?: number;
}

const starts = (b: Buffer, bytes: number[], at = 0) => bytes.every((x, i) => b[at + i] === x);

export function sniffImage(b: Buffer): SniffedImage | undefined {
  if (starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return { format: 'png', contentType: 'image/png', ...(b.length >= 24 ? { width: b.readUInt32BE(16), height: b.readUInt32BE(20) } : {}) };
  }
  if (starts(b, [0xff, 0xd8, 0xff])) return { format: 'jpeg', contentType: 'image/jpeg', ...jpegSize(b) };
  const head = b.subarray(0, 6).toString('latin1');
  if (head === 'GIF87a' || head === 'GIF89a') {
    return { format: 'gif', contentType: 'image/gif', ...(b.length >= 10 ? { width: b.readUInt16LE(6), height: b.readUInt16LE(8) } : {}) };
  }
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return { format: 'webp', contentType: 'image/webp' };
  if (starts(b, [0x42, 0x4d]) && b.length >= 26) {
    return { format: 'bmp', contentType: 'image/bmp', width: Math.abs(b.readInt32LE(18)), height: Math.abs(b.readInt32LE(22)) };
  }
  if (starts(b, [0x00, 0x00, 0x01, 0x00])) return { format: 'ico', contentType: 'image/x-icon' };
  if (starts(b, [0x49, 0x49, 0x2a, 0x00]) || starts(b, [0x4d, 0x4d, 0x00, 0x2a])) return { format: 'tiff', contentType: 'image/tiff' };
  return undefined;
}

/** Walks JPEG segments to the first start-of-frame marker, which holds the size. */
function jpegSize(b: Buffer): { width?: number; height?: number } {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return {};
    const marker = b[i + 1];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + b.readUInt16BE(i + 2);
  }
  return {};
}
