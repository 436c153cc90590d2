// `flux-studio serve` as a child process for the benches that measure what a client sees
// over HTTP: started on a free port with its own data folder, resolved with the URL it
// prints (which carries the token), stopped with SIGTERM.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'flux-studio.cjs');

/** Resolves { child, url } once serve prints its URL; rejects with its stderr if it exits first. */
export function startServe(dataDir) {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /http:\/\/\S+\?token=\S+/.exec(out);
      if (m) resolve({ child, url: new URL(m[0]) });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err.slice(-2000)}`)));
  });
}

/** Stops a serve started by startServe and waits for it to exit. */
export function stopServe(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
}
