// RGB bytes → JPEG or PNG with sharp, with fixed encoder settings: the same pixels give
// the same bytes, so the same seed and settings give an identical file.
import sharp from 'sharp';

export async function encodeImage(rgb: Uint8Array, width: number, height: number, format: 'png' | 'jpeg', quality: number): Promise<Buffer> {
  const img = sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } });
  return format === 'png'
    ? img.png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer()
    : img.jpeg({ quality, chromaSubsampling: '4:4:4', mozjpeg: false }).toBuffer();
}
