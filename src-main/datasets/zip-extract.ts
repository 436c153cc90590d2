// Zip import with the usual guards: entries are named by us (never by the archive), so a
// `../` or absolute entry ("zip slip") cannot write outside the staging folder; entry
// count, per-entry and total uncompressed sizes and the per-entry and whole-archive
// compression ratios are capped, and
// the bytes actually inflated are counted (a lying header cannot get past the caps).
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import yauzl from 'yauzl';

export const ZIP_LIMITS = {
  maxEntries: 20_000,
  maxEntryBytes: 256 * 1024 * 1024,
  /** Uncompressed bytes one archive may expand to. */
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  /** Uncompressed/compressed above this (for entries over 1 MiB) is treated as a bomb. */
  maxRatio: 200,
  /**
   * The whole archive may expand to at most this times its size on disk (past a small
   * allowance): photos barely compress, while many small entries of zeros (each under
   * the per-entry check) do by 1000:1.
   */
  maxTotalRatio: 20,
  totalRatioAllowanceBytes: 64 * 1024 * 1024,
};

export interface ZipEntryOut {
  /** `archive.zip!inner/path.jpg` */
  source: string;
  /** The entry's path inside the archive ('/'-separated, as decoded). */
  inner: string;
  /** Extracted file, or null when skipped. */
  file: string | null;
  /** Why it was skipped (null when extracted). */
  reason: string | null;
}

function decodeName(raw: Buffer, utf8Flag: boolean): string {
  if (utf8Flag) return raw.toString('utf8');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return raw.toString('latin1');
  }
}

/** An unsafe entry path, or null when it stays inside (relative, no `..`, no drive). */
export function unsafeEntryReason(name: string): string | null {
  if (name.includes('\0')) return 'unsafe path in archive (NUL byte)';
  const norm = name.replace(/\\/g, '/');
  if (norm.startsWith('/') || /^[A-Za-z]:/.test(norm)) return 'unsafe path in archive (absolute path)';
  if (norm.split('/').some((p) => p === '..')) return 'unsafe path in archive (`..` would write outside the dataset)';
  return null;
}

/**
 * Extracts `zipPath` into `destDir` (entries numbered `000001<ext>` in one flat folder;
 * the original inner paths are returned so stems and captions can be matched).
 */
export async function extractZip(zipPath: string, destDir: string, label: string, signal?: AbortSignal): Promise<{ entries: ZipEntryOut[]; error: string | null }> {
  fs.mkdirSync(destDir, { recursive: true });
  const entries: ZipEntryOut[] = [];
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(zipPath, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false }, (err, z) => (err ? reject(err) : resolve(z))),
    );
  } catch (err) {
    return { entries, error: `not a readable zip archive (${(err as Error).message})` };
  }
  if (zip.entryCount > ZIP_LIMITS.maxEntries) {
    zip.close();
    return { entries, error: `too many entries (${zip.entryCount}; at most ${ZIP_LIMITS.maxEntries})` };
  }
  let total = 0;
  let n = 0;
  let zipBytes = 0;
  try {
    zipBytes = fs.statSync(zipPath).size;
  } catch {
    // opened above, so it exists; a size of 0 leaves only the allowance
  }
  const totalCap = Math.min(ZIP_LIMITS.maxTotalBytes, Math.max(ZIP_LIMITS.totalRatioAllowanceBytes, zipBytes * ZIP_LIMITS.maxTotalRatio));
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          if (signal?.aborted) throw new Error('cancelled');
          const raw = entry.fileNameRaw ?? Buffer.from(String(entry.fileName), 'latin1');
          const inner = decodeName(raw, (entry.generalPurposeBitFlag & 0x800) !== 0).replace(/\\/g, '/');
          const source = `${label}!${inner}`;
          const skip = (reason: string) => entries.push({ source, inner, file: null, reason });
          if (inner.endsWith('/')) return; // a folder entry: nothing to account for
          const unsafe = unsafeEntryReason(inner);
          if (unsafe) return skip(unsafe);
          if (entry.isEncrypted()) return skip('encrypted entry (password-protected zips are not supported)');
          if (!entry.canDecodeFileData()) return skip(`unsupported compression method ${entry.compressionMethod}`);
          if (entry.uncompressedSize > ZIP_LIMITS.maxEntryBytes) return skip(`entry too large (${Math.round(entry.uncompressedSize / 2 ** 20)} MiB; at most ${ZIP_LIMITS.maxEntryBytes / 2 ** 20} MiB)`);
          if (entry.uncompressedSize > 2 ** 20 && entry.uncompressedSize / Math.max(1, entry.compressedSize) > ZIP_LIMITS.maxRatio) {
            return skip(`suspicious compression ratio (${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))}:1): refused as a possible zip bomb`);
          }
          if (total + entry.uncompressedSize > totalCap) {
            return skip(
              totalCap === ZIP_LIMITS.maxTotalBytes
                ? `archive too large in total (over ${ZIP_LIMITS.maxTotalBytes / 2 ** 30} GiB uncompressed)`
                : `archive expands past ${ZIP_LIMITS.maxTotalRatio}× its size (${Math.round(totalCap / 2 ** 20)} MiB): refused as a possible zip bomb`,
            );
          }
          total += entry.uncompressedSize;
          n++;
          const ext = path.extname(inner).slice(0, 16).replace(/[^A-Za-z0-9.]/g, '');
          const out = path.join(destDir, `${String(n).padStart(6, '0')}${ext}`);
          const stream = await zip.openReadStreamPromise(entry);
          let seen = 0;
          const counter = new Transform({
            transform(chunk: Buffer, _enc, cb) {
              seen += chunk.length;
              if (seen > entry.uncompressedSize || seen > ZIP_LIMITS.maxEntryBytes) cb(new Error('entry inflates past its declared size'));
              else cb(null, chunk);
            },
          });
          try {
            await pipeline(stream, counter, fs.createWriteStream(out, { flags: 'wx' }));
            entries.push({ source, inner, file: out, reason: null });
          } catch (err) {
            fs.rmSync(out, { force: true });
            skip(`cannot extract (${(err as Error).message})`);
          }
        })().then(
          () => zip.readEntry(),
          (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))),
        );
      });
      zip.readEntry();
    });
  } catch (err) {
    return { entries, error: `archive stopped being readable (${(err as Error).message})` };
  } finally {
    zip.close();
  }
  return { entries, error: null };
}
