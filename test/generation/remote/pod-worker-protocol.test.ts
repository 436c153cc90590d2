// The pod worker's events are parsed against the protocol (pod-worker-protocol.ts), never cast:
// a malformed or unknown event is reported (logged; a malformed answer fails its request with
// `worker_protocol`), and the client goes on. No SSH here: a fake Host plays the worker.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import type { Host, HostProcess } from '../../../src-main/hosts/host';
import type { Logger } from '../../../src-main/logging/logger';
import { PodWorkerClient, recoverResult, WorkerRequestError } from '../../../src-main/generation/remote/pod-worker-client';
import { parseWorkerLine, WORKER_PROTOCOL, WorkerRequest } from '../../../src-main/generation/remote/pod-worker-protocol';
import { REPO_ROOT } from '../../helpers/studio';

const DONE = { event: 'done', id: 'r1', path: '/ws/outputs/flux_1.jpg', seed: 7, width: 256, height: 256, sha256: 'ab', load_seconds: null, gen_seconds: 1.5 };

describe('parseWorkerLine', () => {
  test('known events parse, with their fields typed; extra fields are kept', () => {
    const done = parseWorkerLine(JSON.stringify({ ...DONE, extra: 1 }));
    expect(done).toMatchObject({ ok: true, event: { event: 'done', path: '/ws/outputs/flux_1.jpg', seed: 7, extra: 1 } });
    expect(parseWorkerLine('{"event":"progress","id":"r1","step":3,"total":20,"elapsed":1.9}')).toMatchObject({ ok: true, event: { step: 3, total: 20 } });
    expect(parseWorkerLine('{"event":"ready","protocol":1,"pipeline":"standin","pid":12}')).toMatchObject({ ok: true, event: { event: 'ready', protocol: 1 } });
    expect(parseWorkerLine('{"event":"error","id":null,"code":"bad_request","message":"id: must be a string"}')).toMatchObject({ ok: true, event: { code: 'bad_request' } });
  });

  test('malformed, unknown and non-JSON lines are problems with a clear message', () => {
    expect(parseWorkerLine('{"event":"done","id":"r1","seed":7,"width":256,"height":256}')).toEqual({
      ok: false,
      problem: { kind: 'malformed_event', id: 'r1', event: 'done', message: expect.stringMatching(/^malformed “done” event: path: /) },
    });
    expect(parseWorkerLine('{"event":"progress","id":"r1","step":"three","total":20,"elapsed":1}')).toMatchObject({ ok: false, problem: { kind: 'malformed_event', message: expect.stringContaining('step') } });
    expect(parseWorkerLine('{"event":"teleported","id":"r1"}')).toMatchObject({ ok: false, problem: { kind: 'unknown_event', id: 'r1', event: 'teleported' } });
    expect(parseWorkerLine('Loading checkpoint shards: 100%')).toMatchObject({ ok: false, problem: { kind: 'not_json' } });
    expect(parseWorkerLine('[1,2]')).toMatchObject({ ok: false, problem: { kind: 'not_an_event' } });
  });

  test('what the Python side (native/pod/protocol.py) prints parses as the events it means', () => {
    const script = [
      'import io, sys',
      `sys.path.insert(0, ${JSON.stringify(path.join(REPO_ROOT, 'native', 'pod'))})`,
      'import protocol',
      'out = io.StringIO(); e = protocol.Emitter(out)',
      "e.ready(pipeline='standin', pid=1, outputs='/ws/outputs', cpu_offload=True, device='cpu')",
      "e.emit('loading', 'r1', model='flux-schnell')",
      "e.progress('r1', 1, 4, 0.12345)",
      "e.done('r1', path='/ws/outputs/a.jpg', seed=1, width=256, height=256, bytes=10, sha256='ab', model='flux-schnell', load_seconds=None, gen_seconds=1.0)",
      "e.error('r2', 'oom', 'out of memory')",
      "e.error(None, 'bad_request', 'not JSON')",
      "e.emit('pong', 'r3')",
      'print(protocol.PROTOCOL_VERSION); print(out.getvalue(), end="")',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [version, ...lines] = r.stdout.trim().split('\n');
    expect(Number(version)).toBe(WORKER_PROTOCOL);
    const parsed = lines.map((l) => parseWorkerLine(l));
    expect(parsed.filter((p) => !p.ok)).toEqual([]);
    expect(parsed.map((p) => (p.ok ? p.event.event : null))).toEqual(['ready', 'loading', 'progress', 'done', 'error', 'error', 'pong']);
  });

  test('the requests the studio sends match the schema', () => {
    expect(WorkerRequest.safeParse({ id: 'r1', type: 'cancel', target: 'r0' }).success).toBe(true);
    expect(WorkerRequest.safeParse({ id: 'r1', type: 'generate', prompt: 'x', width: 256, height: 256, steps: 4, guidance: 0, seed: 1, jpeg_quality: 95, model: 'flux-schnell', loras: [] }).success).toBe(true);
    expect(WorkerRequest.safeParse({ id: 'r1', type: 'generate', prompt: 'x' }).success).toBe(false);
  });
});

/** A Host whose one spawned process is the test: it reads what the client writes and prints lines. */
function fakeWorker() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let exit: (r: { code: number | null; signal: string | null; lost: boolean }) => void = () => undefined;
  const proc: HostProcess = {
    stdin,
    stdout,
    stderr,
    exited: new Promise((r) => (exit = r)),
    kill: () => exit({ code: null, signal: 'KILL', lost: false }),
  };
  const files = new Map<string, string>();
  const host = {
    label: 'ssh:fake',
    spawn: () => proc,
    readFile: async (p: string) => {
      const t = files.get(p);
      if (t === undefined) throw new Error('ENOENT');
      return Buffer.from(t);
    },
    exec: async () => ({ code: 1, signal: null, stdout: '', stderr: '' }),
  } as unknown as Host;
  const warnings: string[] = [];
  const log: Logger = { debug: () => undefined, info: () => undefined, warn: (m) => void warnings.push(m), error: () => undefined, child: () => log };
  const requests: unknown[] = [];
  let buf = '';
  stdin.on('data', (c: Buffer) => {
    buf += c.toString('utf8');
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      requests.push(JSON.parse(buf.slice(0, nl)));
      buf = buf.slice(nl + 1);
    }
  });
  const client = new PodWorkerClient(host, { python: 'python3', script: '/ws/flux-studio/worker.py', outputs: '/ws/outputs', runDir: '/ws/flux-studio/run', args: [] }, log);
  const say = (line: unknown) => stdout.write((typeof line === 'string' ? line : JSON.stringify(line)) + '\n');
  return { client, host, say, warnings, requests, files, exit: () => exit({ code: 0, signal: null, lost: false }) };
}

const generate = (id: string) => ({ id, type: 'generate' as const, prompt: 'a cube', width: 256, height: 256, steps: 4, guidance: 0, seed: 7, jpeg_quality: 95, model: 'flux-schnell', loras: [] });

describe('PodWorkerClient reads events through the protocol', () => {
  test('a malformed answer fails its request with worker_protocol; an unknown event is logged and skipped', async () => {
    const w = fakeWorker();
    w.say({ event: 'ready', protocol: 1, pipeline: 'fake' });
    await expect(w.client.ready).resolves.toMatchObject({ pipeline: 'fake' });

    const seen: string[] = [];
    const first = w.client.generate(generate('r1'), (ev) => seen.push(ev.event));
    w.say({ event: 'teleported', id: 'r1' });
    w.say('not json at all');
    w.say({ event: 'progress', id: 'r1', step: 1, total: 4, elapsed: 0.1 });
    // `done` without the path it must name.
    w.say({ event: 'done', id: 'r1', seed: 7, width: 256, height: 256 });
    const err = await first.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerRequestError);
    expect(err).toMatchObject({ code: 'worker_protocol', message: expect.stringMatching(/ssh:fake.*malformed “done” event: path: /) });
    expect(seen).toEqual(['progress']);
    expect(w.warnings.join('\n')).toMatch(/unknown event “teleported”/);
    expect(w.warnings.join('\n')).toMatch(/not JSON: not json at all/);

    // The client goes on: the next request completes normally.
    const second = w.client.generate(generate('r2'), () => undefined);
    w.say({ ...DONE, id: 'r2' });
    await expect(second).resolves.toMatchObject({ event: 'done', id: 'r2', path: DONE.path });
    expect(w.requests).toHaveLength(2);
    w.exit();
  });

  test('a malformed ready fails the start with a clear error', async () => {
    const w = fakeWorker();
    w.say({ event: 'ready', protocol: 'one' });
    await expect(w.client.ready).rejects.toMatchObject({ code: 'worker_protocol', message: expect.stringMatching(/malformed “ready” event: protocol: .*Prepare pod/) });
    w.exit();
  });

  test('recovering after a lost link: a malformed done line is an error, not a cast', async () => {
    const w = fakeWorker();
    w.files.set(w.client.outFile, '{"event":"ready","protocol":1}\n{"event":"done","id":"r9","seed":"x"}\n');
    await expect(recoverResult(w.host, w.client, 'r9')).resolves.toMatchObject({ state: 'error', code: 'worker_protocol' });
    w.files.set(w.client.outFile, `${JSON.stringify({ ...DONE, id: 'r9' })}\n`);
    await expect(recoverResult(w.host, w.client, 'r9')).resolves.toMatchObject({ state: 'done', done: { path: DONE.path } });
    w.exit();
  });
});
