// The synthetic 100,000-image gallery index shared by the gallery benches (and the grid
// spec): deterministic prompts, models, runtimes, dates, favourites and tags, written
// straight into the gallery tables of a migrated studio database (migration 4; the FTS
// table fills through its insert trigger). Plain ESM so `node bench/*.mjs` and Playwright
// specs can both import it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A seeded xorshift PRNG, so runs compare. */
export function createRand(seed) {
  let s = seed >>> 0;
  const rand = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  return { rand, pick };
}

export const VOCAB = {
  subjects: ['portrait of an old fisherman', 'a red fox', 'cyberpunk city street', 'mountain lake at dawn', 'a bowl of ramen', 'astronaut riding a horse', 'victorian library', 'desert caravan', 'koi pond', 'lighthouse in a storm', 'a tabby cat', 'medieval castle', 'robot gardener', 'neon diner', 'snowy forest cabin', 'underwater coral reef', 'steam locomotive', 'samurai in rain', 'floating islands', 'street market in Marrakesh', 'a vintage camera', 'dragon over the sea', 'bonsai tree', 'sunflower field', 'jazz club', 'abandoned greenhouse', 'arctic fox', 'hot air balloons', 'cathedral interior', 'tea ceremony'],
  styles: ['photorealistic', 'oil painting', 'watercolor', 'studio ghibli style', 'cinematic', 'film noir', 'isometric 3d render', 'pencil sketch', 'ukiyo-e woodblock', 'art nouveau', 'low poly', 'analog film photo', 'baroque', 'pixel art', 'impressionist', 'concept art'],
  details: ['golden hour', 'volumetric light', 'soft focus', 'dramatic shadows', 'bokeh', 'overcast', 'moonlight', 'rim lighting', 'fog', 'high contrast', 'pastel palette', 'wide angle', 'macro', '35mm', 'ultra detailed', 'muted colors', 'vivid colors', 'long exposure', 'symmetrical', 'minimalist'],
  negatives: ['blurry', 'lowres, watermark', 'extra fingers', 'jpeg artifacts', 'text, signature', 'oversaturated', null, null],
  models: ['flux1-dev', 'flux1-schnell', 'flux1-dev-fp8', 'flux1-krea-dev', 'flux-kontext-dev', 'sdxl-base-1.0'],
  tagPool: ['keeper', 'wip', 'client', 'portfolio', 'print', 'reference', 'moody', 'colour-test', 'lora-test', 'wallpaper', 'family', 'series-a', 'series-b', 'rejected', 'favourite-style'],
  runtimes: ['local', 'local', 'remote', null],
  sizes: [[1024, 1024], [1024, 1024], [832, 1216], [1216, 832], [1344, 768], [768, 1344], [1536, 1536], [2048, 2048]],
};

/** Rows are created over the two years before `end`, oldest first. */
export const DATE_SPAN = { end: Date.parse('2026-11-01T00:00:00Z'), span: 2 * 365 * 86_400_000 };

export function thumbPathsOf(hash) {
  return { small: `${hash.slice(0, 2)}/${hash}-256.webp`, large: `${hash.slice(0, 2)}/${hash}-1024.webp` };
}

/**
 * `count` distinct size×size JPEGs in `dir`, textured like a generated picture: colour fields
 * from a dozen random waves up to ~80 cycles across. (Per-pixel random grain, which no model
 * output has, encodes ~4× slower in WebP; flat colour would flatter the thumbnail number.)
 */
export async function makeTexturedJpegs({ dir, count, size, rand, sharp }) {
  fs.mkdirSync(dir, { recursive: true });
  const jpegs = [];
  for (let i = 0; i < count; i++) {
    const w = size;
    const data = Buffer.alloc(w * w * 3);
    const waves = Array.from({ length: 12 }, (_, k) => ({
      fx: ((rand() - 0.5) * (k < 4 ? 6 : 80) * 2 * Math.PI) / w,
      fy: ((rand() - 0.5) * (k < 4 ? 6 : 80) * 2 * Math.PI) / w,
      ph: rand() * 6.28,
      amp: k < 4 ? 50 : 10,
      ch: k % 3,
    }));
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 3;
        const c = [128, 128, 128];
        for (const wv of waves) c[wv.ch] += wv.amp * Math.sin(x * wv.fx + y * wv.fy + wv.ph);
        data[o] = Math.max(0, Math.min(255, c[0]));
        data[o + 1] = Math.max(0, Math.min(255, c[1]));
        data[o + 2] = Math.max(0, Math.min(255, c[2]));
      }
    }
    const file = path.join(dir, `img-${String(i).padStart(3, '0')}.jpg`);
    await sharp(data, { raw: { width: w, height: w, channels: 3 } }).jpeg({ quality: 90 }).toFile(file);
    jpegs.push({ file, hash: crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') });
  }
  return jpegs;
}

/**
 * Writes `rows` image rows (ids 1..rows, oldest first) for a folder source 'bench' at
 * `inputs` into an open better-sqlite3 `db` of a migrated studio database, in one transaction.
 * With `jpegs` ([{file, hash}]) every row is a real file: a hard link to one of them (so size
 * and mtime match what a scan stats, and `serve` keeps the rows) with its thumbnails' paths.
 * Without `jpegs`, rows point at files that do not exist and have no thumbnails; with `jpegs`
 * and `links: false`, no files either but the JPEGs' thumbnails (fine while nothing rescans
 * the source, e.g. rows written into a running `serve`'s database).
 */
export function buildSyntheticIndex({ db, inputs, jpegs = null, rows, rand, links = true }) {
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const { subjects, styles, details, negatives, models, tagPool, runtimes, sizes } = VOCAB;
  const { end, span } = DATE_SPAN;
  db.prepare("INSERT OR IGNORE INTO gallery_sources (id, path, kind, created_at) VALUES ('bench', ?, 'folder', ?)").run(inputs, new Date().toISOString());
  const insert = db.prepare(`INSERT INTO images (id, source_id, path, rel_path, file_name, format, size_bytes, mtime_ms, width, height, content_hash,
      created_at, indexed_at, favourite, broken_reason, thumb_small, thumb_large, params_json, prompt, negative_prompt, enhanced_from, model, runtime, seed, tags_text)
    VALUES (@id, 'bench', @path, @rel, @name, 'jpeg', @size, @mtime, @w, @h, @hash, @created, @created, @fav, NULL, @small, @large, @params, @prompt, @neg, @enh, @model, @runtime, @seed, @tags)`);
  const insertTag = db.prepare('INSERT INTO image_tags (image_id, tag) VALUES (?, ?)');
  const stats = jpegs ? jpegs.map((j) => fs.statSync(j.file)) : null;
  const madeDirs = new Set();
  db.transaction(() => {
    for (let id = 1; id <= rows; id++) {
      // Oldest first, so the newest rows are the last ids.
      const created = new Date(end - span + Math.floor((id / rows) * span) - Math.floor(rand() * 60_000)).toISOString();
      const prompt = `${pick(subjects)}, ${pick(styles)}, ${pick(details)}, ${pick(details)}${rand() < 0.3 ? `, ${pick(subjects)}` : ''}`;
      const neg = pick(negatives);
      const enh = rand() < 0.2 ? pick(subjects) : null;
      const model = pick(models);
      const runtime = pick(runtimes);
      const [w, h] = pick(sizes);
      const tags = rand() < 0.25 ? [...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(tagPool)))] : [];
      const j = jpegs ? jpegs[id % jpegs.length] : null;
      const seedValue = Math.floor(rand() * 2 ** 31);
      const params = { prompt, negativePrompt: neg, enhancedFrom: enh, model, seed: seedValue, steps: 20 + Math.floor(rand() * 30), guidance: 3.5, sampler: 'euler', width: w, height: h, jpegQuality: 95, loras: [], runtime, pod: runtime === 'remote' ? 'pod-abc' : null, loadSeconds: null, genSeconds: rand() * 20, source: 'studio', parametersText: null };
      const rel = `${created.slice(0, 7)}/img-${id}.jpg`;
      const abs = path.join(inputs, rel);
      let size = 500_000;
      let mtime = 0;
      let hash = id.toString(16).padStart(64, '0');
      let thumbs = { small: null, large: null };
      if (j && stats) {
        if (links && !madeDirs.has(created.slice(0, 7))) {
          fs.mkdirSync(path.dirname(abs), { recursive: true });
          madeDirs.add(created.slice(0, 7));
        }
        if (links) fs.linkSync(j.file, abs);
        const st = stats[id % jpegs.length];
        size = st.size;
        mtime = st.mtimeMs;
        hash = j.hash;
        thumbs = thumbPathsOf(j.hash);
      }
      insert.run({ id, path: abs, rel, name: `img-${id}.jpg`, size, mtime, w, h, hash, created, fav: rand() < 0.05 ? 1 : 0, small: thumbs.small, large: thumbs.large, params: JSON.stringify(params), prompt, neg, enh, model, runtime, seed: seedValue, tags: tags.join(' ') });
      for (const t of tags) insertTag.run(id, t);
    }
  })();
}

/**
 * `count` varied gallery.search requests over the synthetic index, in four shapes by turn:
 * text only, text + filters, filters only, text + a sort (a tenth of them a later page).
 */
export function benchQueries({ rand, count }) {
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const { subjects, styles, details, models, tagPool } = VOCAB;
  const { end, span } = DATE_SPAN;
  const queries = [];
  const words = [...subjects.join(' ').split(/[\s,]+/), ...styles.join(' ').split(/[\s,]+/), ...details.join(' ').split(/[\s,]+/)].filter((w) => w.length > 2);
  for (let i = 0; i < count; i++) {
    const q = {};
    const kind = i % 4; // text only, text + filters, filters only, text + sort
    if (kind !== 2) q.text = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(words)).map((w) => (rand() < 0.25 ? w.slice(0, Math.max(3, w.length - 2)) : w)).join(' ');
    if (kind === 1 || kind === 2) {
      if (rand() < 0.5) q.models = [pick(models), ...(rand() < 0.3 ? [pick(models)] : [])];
      if (rand() < 0.3) q.runtimes = [pick(['local', 'remote', 'unknown'])];
      if (rand() < 0.25) q.favourite = true;
      if (rand() < 0.25) q.tags = [pick(tagPool)];
      if (rand() < 0.3) {
        const from = new Date(end - span + Math.floor(rand() * span));
        q.from = from.toISOString().slice(0, 10);
        q.to = new Date(from.getTime() + (7 + Math.floor(rand() * 120)) * 86_400_000).toISOString().slice(0, 10);
      }
      if (rand() < 0.2) q.minWidth = 1200;
      if (Object.keys(q).length === 0 || (kind === 2 && Object.keys(q).length === 0)) q.favourite = true;
    }
    if (kind === 3) q.sort = pick(['newest', 'oldest', 'relevance', 'largest']);
    if (rand() < 0.1) q.offset = 100 * (1 + Math.floor(rand() * 5));
    q.limit = 100;
    queries.push(q);
  }
  return queries;
}
