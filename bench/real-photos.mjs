// Photo-sized JPEGs for the upload spec (e2e/browser/serve-uploads.spec.ts) and bench:serve:
// 4000×3000 (12 MP, a phone's photo) of seeded noise, which barely compresses, so each file
// is 3–8 MB like a real photo. Made once with sharp and kept in the OS temp folder.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

export const PHOTO_WIDTH = 4000;
export const PHOTO_HEIGHT = 3000;

/** Deterministic bytes for photo `i` (sha256 in counter mode), so the cache is reproducible. */
function noise(i, length) {
  const out = Buffer.alloc(length);
  let off = 0;
  for (let block = 0; off < length; block++) {
    const h = crypto.createHash('sha512').update(`flux-studio photo ${i} ${block}`).digest();
    off += h.copy(out, off);
  }
  return out;
}

/** Paths of `count` photos (photo-01.jpg…), made if missing; each checked to be 3–8 MB. */
export async function realPhotos(count) {
  const dir = path.join(os.tmpdir(), 'flux-studio-photos-v1');
  fs.mkdirSync(dir, { recursive: true });
  const files = [];
  for (let i = 1; i <= count; i++) {
    const file = path.join(dir, `photo-${String(i).padStart(2, '0')}.jpg`);
    if (!fs.existsSync(file)) {
      // Quality 45–78 spreads the sizes over roughly 4–7.6 MB.
      const quality = 45 + ((i * 7) % 34);
      const raw = noise(i, PHOTO_WIDTH * PHOTO_HEIGHT * 3);
      const jpeg = await sharp(raw, { raw: { width: PHOTO_WIDTH, height: PHOTO_HEIGHT, channels: 3 } }).jpeg({ quality }).toBuffer();
      fs.writeFileSync(`${file}.part`, jpeg);
      fs.renameSync(`${file}.part`, file);
    }
    const size = fs.statSync(file).size;
    if (size < 3e6 || size > 8e6) throw new Error(`${file} is ${(size / 1e6).toFixed(1)} MB, not 3–8 MB`);
    files.push(file);
  }
  return files;
}
