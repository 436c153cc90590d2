// What the serve tests share: a real server over a real Studio, and raw HTTP (fetch would
// normalise ../ and refuse to set Host, Origin or Sec-Fetch-* headers).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src-main/serve/server';
import type { Studio } from '../../src-main/studio';
import { makeStudio, tempDir } from '../helpers/studio';

export interface Harness {
  studio: Studio;
  server: RunningServer;
  rendererDir: string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const studio = await makeStudio();
  const rendererDir = tempDir('renderer-');
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Flux Studio</title>');
  fs.mkdirSync(path.join(rendererDir, 'assets'));
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(path.dirname(rendererDir), 'outside.js'), 'nope');
  const server = await startServer({ studio, rendererDir, port: 0 });
  return {
    studio,
    server,
    rendererDir,
    async close() {
      await server.close();
      await studio.close();
    },
  };
}

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One raw HTTP request; `body` may be a Buffer. Host defaults to the served one. */
export function raw(port: number, method: string, p: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers: { Host: `127.0.0.1:${port}`, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Bytes written straight to the socket (for request lines no HTTP client would send); resolves with the reply text. */
export function rawSocket(port: number, text: string | Buffer, waitMs = 2000): Promise<string> {
  return import('node:net').then(
    (net) =>
      new Promise<string>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        let got = '';
        const done = () => {
          s.destroy();
          resolve(got);
        };
        const timer = setTimeout(done, waitMs);
        s.on('data', (c: Buffer) => {
          got += c.toString('latin1');
        });
        s.on('end', () => {
          clearTimeout(timer);
          done();
        });
        s.on('error', () => {
          clearTimeout(timer);
          done();
        });
        s.write(text);
      }),
  );
}
