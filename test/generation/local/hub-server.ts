// A local server speaking the part of the Hugging Face Hub's HTTP API a download uses, over
// real folders on disk (as the pod's model fetch is tested against a local server):
//   GET /api/models/:org/:name/revision/:rev      → { id, sha, gated, … }
//   GET /api/models/:org/:name/tree/:rev[/:path]  → [{ type, path, size, oid, lfs? }] (?recursive=true)
//   GET /:org/:name/resolve/:rev/:path            → the bytes; Range requests (206), ETag
// Files named *.onnx, *.data, *.safetensors, *.bin are "LFS" (lfs.oid = sha256), others carry
// git's blob id, as on the Hub. A gated repo's files need `Authorization: Bearer <token>`.
// Faults for tests: cut the connection after N bytes, serve corrupted bytes.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface HubRepo {
  dir: string;
  gated?: boolean;
  /** Branches besides main (all point to the same files). */
  commit?: string;
}

export interface HubServer {
  url: string;
  /** Every request the server saw: method, path, Range header, whether it carried a token. */
  requests: { path: string; range: string | null; auth: boolean }[];
  /** Cut the next resolve response of a file after this many bytes (once). */
  cutAfter(file: string, bytes: number): void;
  /** Send this many bytes of the next response for a file, then nothing (a download to kill). */
  stallAfter(file: string, bytes: number): void;
  /** Serve this file with one byte changed (until cleared). */
  corrupt(file: string, on: boolean): void;
  close(): Promise<void>;
}

interface Entry {
  path: string;
  abs: string;
  size: number;
  oid: string;
  sha256: string | null;
}

const LFS = /\.(onnx|data|safetensors|bin|pb|model)$/;

function walk(dir: string, base = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) return walk(path.join(dir, e.name), rel);
    return e.isFile() || e.isSymbolicLink() ? [rel] : [];
  });
}

function index(dir: string): Entry[] {
  return walk(dir).map((rel) => {
    const abs = path.join(dir, ...rel.split('/'));
    const bytes = fs.readFileSync(abs);
    const gitOid = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
    const sha256 = LFS.test(rel) ? createHash('sha256').update(bytes).digest('hex') : null;
    return { path: rel, abs, size: bytes.length, oid: gitOid, sha256 };
  });
}

export async function startHubServer(repos: Record<string, HubRepo>, opts: { token?: string } = {}): Promise<HubServer> {
  const indexed = new Map(Object.entries(repos).map(([id, r]) => [id, { ...r, commit: r.commit ?? createHash('sha1').update(id).digest('hex'), files: index(r.dir) }]));
  const requests: HubServer['requests'] = [];
  const cuts = new Map<string, number>();
  const stalls = new Map<string, number>();
  const corrupted = new Set<string>();
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const auth = req.headers.authorization ?? null;
    requests.push({ path: url.pathname, range: (req.headers.range as string | undefined) ?? null, auth: auth !== null });
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const api = parts[0] === 'api' && parts[1] === 'models';
    const [org, name] = api ? [parts[2], parts[3]] : [parts[0], parts[1]];
    const repo = indexed.get(`${org}/${name}`);
    if (!repo) return json(res, 404, { error: 'Repository not found' });
    const rev = api ? parts[5] : parts[3];
    if (rev !== 'main' && rev !== repo.commit) return json(res, 404, { error: `Revision Not Found for url ${url.pathname}` });
    if (api && parts[4] === 'revision') {
      return json(res, 200, { _id: repo.commit.slice(0, 24), id: `${org}/${name}`, sha: repo.commit, private: false, gated: repo.gated ? 'manual' : false, downloads: 0, likes: 0, pipeline_tag: 'text-to-image', lastModified: '2026-01-01T00:00:00.000Z', siblings: repo.files.map((f) => ({ rfilename: f.path })) });
    }
    if (api && parts[4] === 'tree') {
      const prefix = parts.slice(6).join('/');
      const under = repo.files.filter((f) => !prefix || f.path.startsWith(`${prefix}/`));
      if (prefix && under.length === 0) return json(res, 404, { error: `Entry not found: ${prefix}` });
      return json(
        res,
        200,
        under.map((f) => ({ type: 'file', path: f.path, size: f.size, oid: f.oid, ...(f.sha256 ? { lfs: { oid: f.sha256, size: f.size, pointerSize: 134 } } : {}) })),
      );
    }
    if (!api && parts[2] === 'resolve') {
      if (repo.gated) {
        if (!auth) return json(res, 401, { error: `Access to model ${org}/${name} is restricted. You must have access to it and be authenticated to access it. Please log in.` });
        if (auth !== `Bearer ${opts.token}`) return json(res, 403, { error: `Access to model ${org}/${name} is restricted and you are not in the authorized list.` });
      }
      const file = parts.slice(4).join('/');
      const f = repo.files.find((x) => x.path === file);
      if (!f) return json(res, 404, { error: 'Entry not found' });
      let bytes = fs.readFileSync(f.abs);
      if (corrupted.has(file)) {
        bytes = Buffer.from(bytes);
        bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
      }
      const etag = `"${f.sha256 ?? f.oid}"`;
      const m = /^bytes=(\d+)-$/.exec((req.headers.range as string | undefined) ?? '');
      let start = 0;
      if (m) {
        start = Number(m[1]);
        if (start >= bytes.length) {
          res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` });
          return res.end();
        }
        res.writeHead(206, { 'Content-Length': bytes.length - start, 'Content-Range': `bytes ${start}-${bytes.length - 1}/${bytes.length}`, ETag: etag, 'X-Repo-Commit': repo.commit, 'Accept-Ranges': 'bytes' });
      } else {
        res.writeHead(200, { 'Content-Length': bytes.length, ETag: etag, 'X-Repo-Commit': repo.commit, 'Accept-Ranges': 'bytes' });
      }
      const body = bytes.subarray(start);
      const stall = stalls.get(file);
      if (stall !== undefined) {
        stalls.delete(file);
        res.write(body.subarray(0, stall)); // and never more: the client is killed while it waits
        return;
      }
      const cut = cuts.get(file);
      if (cut !== undefined) {
        cuts.delete(file);
        // Half a file, then the connection drops (a killed download, a lost network).
        res.write(body.subarray(0, cut), () => res.destroy());
        return;
      }
      return res.end(body);
    }
    return json(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    cutAfter: (file, bytes) => cuts.set(file, bytes),
    stallAfter: (file, bytes) => stalls.set(file, bytes),
    corrupt: (file, on) => (on ? corrupted.add(file) : corrupted.delete(file)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
