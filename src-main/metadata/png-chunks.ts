// PNG: chunks (length, type, data, CRC-32 over type+data), text chunks in and out.
// Reading: tEXt (Latin-1), zTXt (Latin-1, zlib) and iTXt (UTF-8, compressed or not).
// Writing: like PIL's PngInfo via A1111 — tEXt when the text is Latin-1, iTXt (uncompressed)
// otherwise — inserted before the first IDAT, replacing earlier chunks with the same keys.
import zlib from 'node:zlib';
import { NotAnImageError } from './errors';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngChunk {
  type: string;
  data: Buffer;
}

export interface PngText {
  key: string;
  text: string;
  chunk: 'tEXt' | 'zTXt' | 'iTXt';
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO-HDLC, as PNG uses) over the parts in order: node:zlib's native one where present (Node ≥ 20.15). */
export function crc32(...parts: Buffer[]): number {
  const native = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;
  if (native) {
    let v = 0;
    for (const buf of parts) v = native(buf, v);
    return v >>> 0;
  }
  let c = 0xffffffff;
  for (const buf of parts) for (let i = 0; i < buf.length; i++) c = (CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8)) >>> 0;
  return (c ^ 0xffffffff) >>> 0;
}

export function isPng(bytes: Buffer): boolean {
  return bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE);
}

/**
 * Every chunk up to and including IEND. Throws NotAnImageError when the signature is wrong,
 * the file ends early (no IEND), or a critical chunk's CRC is wrong; ancillary chunks with a
 * bad CRC are dropped (PIL does the same for text chunks).
 */
export function parsePngChunks(bytes: Buffer): PngChunk[] {
  if (!isPng(bytes)) throw new NotAnImageError('not a PNG (bad signature)');
  const chunks: PngChunk[] = [];
  let pos = 8;
  for (;;) {
    if (pos + 12 > bytes.length) throw new NotAnImageError('truncated PNG (no IEND chunk)');
    const len = bytes.readUInt32BE(pos);
    const typeBuf = bytes.subarray(pos + 4, pos + 8);
    const type = typeBuf.toString('latin1');
    if (!/^[A-Za-z]{4}$/.test(type)) throw new NotAnImageError(`corrupt PNG (bad chunk type at byte ${pos})`);
    if (len > 0x7fffffff || pos + 12 + len > bytes.length) throw new NotAnImageError(`truncated PNG (chunk ${type} runs past the end)`);
    const data = bytes.subarray(pos + 8, pos + 8 + len);
    const crc = bytes.readUInt32BE(pos + 8 + len);
    const critical = type.charCodeAt(0) < 0x61;
    if (crc32(typeBuf, data) !== crc) {
      if (critical) throw new NotAnImageError(`corrupt PNG (bad CRC in ${type} chunk)`);
    } else {
      chunks.push({ type, data });
    }
    pos += 12 + len;
    if (type === 'IEND') break;
  }
  if (chunks[0]?.type !== 'IHDR') throw new NotAnImageError('corrupt PNG (first chunk is not IHDR)');
  if (!chunks.some((c) => c.type === 'IDAT')) throw new NotAnImageError('corrupt PNG (no image data)');
  return chunks;
}

export function pngSize(chunks: PngChunk[]): { width: number; height: number } {
  const ihdr = chunks[0];
  if (!ihdr || ihdr.type !== 'IHDR' || ihdr.data.length < 13) throw new NotAnImageError('corrupt PNG (bad IHDR)');
  return { width: ihdr.data.readUInt32BE(0), height: ihdr.data.readUInt32BE(4) };
}

export function encodePngChunks(chunks: PngChunk[]): Buffer {
  const parts: Buffer[] = [PNG_SIGNATURE];
  for (const c of chunks) {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(c.data.length, 0);
    head.write(c.type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(head.subarray(4, 8), c.data), 0);
    parts.push(head, c.data, crc);
  }
  return Buffer.concat(parts);
}

function isLatin1(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\u0000-\u00ff]*$/.test(s);
}

/** One text chunk the way PIL writes it: tEXt for Latin-1 text, iTXt (uncompressed, no language) otherwise. */
export function makeTextChunk(key: string, text: string): PngChunk {
  if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(key) || key.startsWith(' ') || key.endsWith(' ')) throw new Error(`bad PNG text key: ${key}`);
  if (isLatin1(text)) return { type: 'tEXt', data: Buffer.concat([Buffer.from(key, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]) };
  // keyword \0, compression flag 0, method 0, language tag "" \0, translated keyword "" \0, UTF-8 text
  return { type: 'iTXt', data: Buffer.concat([Buffer.from(key, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]) };
}

/** Decode one text chunk; null for other chunks or malformed ones (never throws). */
export function decodeTextChunk(chunk: PngChunk): PngText | null {
  try {
    const d = chunk.data;
    const nul = d.indexOf(0);
    if (nul < 1) return null;
    const key = d.subarray(0, nul).toString('latin1');
    if (chunk.type === 'tEXt') return { key, text: d.subarray(nul + 1).toString('latin1'), chunk: 'tEXt' };
    if (chunk.type === 'zTXt') {
      if (d[nul + 1] !== 0) return null;
      return { key, text: zlib.inflateSync(d.subarray(nul + 2)).toString('latin1'), chunk: 'zTXt' };
    }
    if (chunk.type === 'iTXt') {
      const compressed = d[nul + 1];
      const method = d[nul + 2];
      const langEnd = d.indexOf(0, nul + 3);
      if (langEnd < 0) return null;
      const transEnd = d.indexOf(0, langEnd + 1);
      if (transEnd < 0) return null;
      const body = d.subarray(transEnd + 1);
      if (compressed === 1) {
        if (method !== 0) return null;
        return { key, text: zlib.inflateSync(body).toString('utf8'), chunk: 'iTXt' };
      }
      return { key, text: body.toString('utf8'), chunk: 'iTXt' };
    }
    return null;
  } catch {
    return null;
  }
}

/** Every readable text chunk, in file order (a later chunk with the same key wins in `textMap`). */
export function readPngTexts(chunks: PngChunk[]): PngText[] {
  const out: PngText[] = [];
  for (const c of chunks) {
    const t = decodeTextChunk(c);
    if (t) out.push(t);
  }
  return out;
}

export function textMap(texts: PngText[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const t of texts) m.set(t.key, t.text);
  return m;
}

/**
 * The PNG with text chunks `texts` (key → text) inserted right before the first IDAT; any
 * earlier tEXt/zTXt/iTXt chunks with one of these keys are removed. Other chunks are kept as they were.
 */
export function writePngTexts(bytes: Buffer, texts: ReadonlyArray<readonly [string, string]>): Buffer {
  const keys = new Set(texts.map(([k]) => k));
  const kept = parsePngChunks(bytes).filter((c) => {
    const t = decodeTextChunk(c);
    return !(t && keys.has(t.key));
  });
  const at = kept.findIndex((c) => c.type === 'IDAT');
  const added = texts.map(([k, v]) => makeTextChunk(k, v));
  return encodePngChunks([...kept.slice(0, at), ...added, ...kept.slice(at)]);
}

/** Remove text chunks with these keys (used to make sure nothing of ours is left when embedding is off). */
export function removePngTexts(bytes: Buffer, keys: readonly string[]): Buffer {
  const ks = new Set(keys);
  return encodePngChunks(
    parsePngChunks(bytes).filter((c) => {
      const t = decodeTextChunk(c);
      return !(t && ks.has(t.key));
    }),
  );
}
