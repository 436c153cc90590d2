// SHA-256 of bytes and files, hex: the one home for content hashes (gallery moves, dataset
// duplicates and sync manifests, LoRA uploads, result checks).
import { createHash } from 'node:crypto';
import fs from 'node:fs';

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads the whole file: for files that fit in memory (images, captions). */
export function sha256File(file: string): string {
  return sha256(fs.readFileSync(file));
}

/** Streams the file: for large ones (LoRA checkpoints, models). */
export async function sha256FileStream(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
