// A small decoder for uncompressed BMP (BI_RGB 24/32-bit and BI_BITFIELDS 32-bit with the
// usual masks), the kind cameras, scanners and Paint write: sharp's prebuilt libvips has
// no BMP loader, so these are decoded here and converted to PNG on import. Anything else
// (palettes, RLE) is reported as unsupported rather than guessed at.

export interface BmpHeader {
  width: number;
  height: number;
  bottomUp: boolean;
  bpp: number;
  compression: number;
  dataOffset: number;
}

export function readBmpHeader(b: Buffer): BmpHeader | null {
  if (b.length < 54 || b[0] !== 0x42 || b[1] !== 0x4d) return null;
  const dibSize = b.readUInt32LE(14);
  if (dibSize < 40) return null;
  const width = b.readInt32LE(18);
  const rawHeight = b.readInt32LE(22);
  return { width, height: Math.abs(rawHeight), bottomUp: rawHeight > 0, bpp: b.readUInt16LE(28), compression: b.readUInt32LE(30), dataOffset: b.readUInt32LE(10) };
}

/** RGB(A) pixels of an uncompressed BMP, or an error message. */
export function decodeBmp(b: Buffer): { ok: true; data: Buffer; width: number; height: number; channels: 3 | 4 } | { ok: false; reason: string } {
  const h = readBmpHeader(b);
  if (!h) return { ok: false, reason: 'corrupt BMP header' };
  if (h.width <= 0 || h.height <= 0) return { ok: false, reason: 'BMP with an invalid size' };
  if (!(h.compression === 0 && (h.bpp === 24 || h.bpp === 32)) && !(h.compression === 3 && h.bpp === 32)) {
    return { ok: false, reason: `BMP variant not supported (${h.bpp}-bit, compression ${h.compression}); convert it to PNG first` };
  }
  const bytesPer = h.bpp / 8;
  const stride = Math.ceil((h.width * bytesPer) / 4) * 4;
  if (h.dataOffset + stride * h.height > b.length) return { ok: false, reason: 'truncated or partial file (BMP pixel data is incomplete)' };
  const channels = h.bpp === 32 ? 4 : 3;
  const out = Buffer.alloc(h.width * h.height * channels);
  for (let y = 0; y < h.height; y++) {
    const srcRow = h.dataOffset + (h.bottomUp ? h.height - 1 - y : y) * stride;
    for (let x = 0; x < h.width; x++) {
      const s = srcRow + x * bytesPer;
      const d = (y * h.width + x) * channels;
      out[d] = b[s + 2] ?? 0;
      out[d + 1] = b[s + 1] ?? 0;
      out[d + 2] = b[s] ?? 0;
      if (channels === 4) out[d + 3] = b[s + 3] ?? 255;
    }
  }
  return { ok: true, data: out, width: h.width, height: h.height, channels };
}
