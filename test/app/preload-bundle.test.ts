// The built preload (out/preload/index.cjs), loaded under plain Node with a fake
// 'electron' injected through Module._load: a sandboxed preload may require nothing but
// 'electron', must expose exactly `studio` (verbs, not ipcRenderer), and every verb must
// become ipcRenderer.invoke('studio:call', name, request).
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CALL_NAMES, EVENT_NAMES, IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '@shared/contract';
import type { RawStudioApi } from '@shared/studio-api';

const PRELOAD = path.resolve(__dirname, '..', '..', 'out', 'preload', 'index.cjs');
const built = fs.existsSync(PRELOAD);
const NOT_BUILT = 'out/preload/index.cjs is not built: run `npx electron-vite build` first to check the preload bundle';

type LoadFn = (request: string, parent: { filename?: string } | null | undefined, isMain: boolean) => unknown;
type IpcListener = (event: unknown, ...args: unknown[]) => void;

interface Recorded {
  exposed: Map<string, unknown>;
  invokes: unknown[][];
  listeners: Map<string, IpcListener[]>;
  preloadRequires: string[];
  otherIpc: string[];
}

function loadPreload(): Recorded {
  const rec: Recorded = { exposed: new Map(), invokes: [], listeners: new Map(), preloadRequires: [], otherIpc: [] };
  const fakeElectron = {
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => rec.exposed.set(key, api),
    },
    // Dropped files' paths (Electron ≥ 32 removed File.path): the preload asks webUtils.
    webUtils: {
      getPathForFile: (file: { name?: string }) => (file.name === 'dropped.png' ? '/home/u/dropped.png' : ''),
    },
    ipcRenderer: {
      invoke: (...args: unknown[]) => {
        rec.invokes.push(args);
        return Promise.resolve({ ok: true, data: { echoed: args[1] } });
      },
      on: (channel: string, listener: IpcListener) => {
        rec.listeners.set(channel, [...(rec.listeners.get(channel) ?? []), listener]);
      },
      send: (channel: string) => rec.otherIpc.push(`send:${channel}`),
      sendSync: (channel: string) => rec.otherIpc.push(`sendSync:${channel}`),
      postMessage: (channel: string) => rec.otherIpc.push(`postMessage:${channel}`),
    },
  };
  const mod = Module as unknown as { _load: LoadFn };
  const original = mod._load;
  mod._load = function (this: unknown, request, parent, isMain) {
    if (parent?.filename === PRELOAD) {
      rec.preloadRequires.push(request);
      if (request === 'electron') return fakeElectron;
    }
    return original.call(this, request, parent, isMain);
  };
  try {
    const req = createRequire(__filename);
    delete req.cache[PRELOAD];
    req(PRELOAD);
  } finally {
    mod._load = original;
  }
  return rec;
}

test('the bundle is built (npm test builds before the suites)', () => {
  expect(built, NOT_BUILT).toBe(true);
});

describe.runIf(built)('built preload bundle (out/preload/index.cjs)', () => {
  let rec: Recorded;
  let studio: RawStudioApi;
  const originalError = console.error;

  beforeAll(() => {
    rec = loadPreload();
    studio = rec.exposed.get('studio') as RawStudioApi;
  });
  afterAll(() => {
    console.error = originalError;
  });

  test("requires nothing but 'electron' (a sandboxed preload can load nothing else)", () => {
    expect(rec.preloadRequires.length).toBeGreaterThan(0);
    expect(new Set(rec.preloadRequires)).toEqual(new Set(['electron']));
  });

  test('exposes exactly one global, `studio`, with the electron transport', () => {
    expect([...rec.exposed.keys()]).toEqual(['studio']);
    expect(studio.transport).toBe('electron');
    const keys = Object.keys(studio).sort();
    expect(keys).toEqual(['calls', 'mediaUrl', 'on', 'pathForFile', 'transport']);
    for (const forbidden of ['ipcRenderer', 'invoke', 'send', 'require', 'process']) {
      expect(forbidden in studio, forbidden).toBe(false);
    }
  });

  test('has a function per contract call, grouped by namespace', () => {
    const calls = studio.calls as unknown as Record<string, Record<string, unknown>>;
    const namespaces = new Set(CALL_NAMES.map((n) => n.split('.')[0]));
    expect(new Set(Object.keys(calls))).toEqual(namespaces);
    for (const name of CALL_NAMES) {
      const [ns, verb] = name.split('.') as [string, string];
      expect(typeof calls[ns]?.[verb], name).toBe('function');
    }
    expect(typeof studio.calls.settings.get).toBe('function');
  });

  test("every call becomes ipcRenderer.invoke('studio:call', name, request)", async () => {
    rec.invokes.length = 0;
    const res = await studio.calls.settings.get({});
    expect(res).toEqual({ ok: true, data: { echoed: 'settings.get' } });
    expect(rec.invokes).toEqual([[IPC_CALL_CHANNEL, 'settings.get', {}]]);
    await studio.calls.jobs.get({ id: 'job_1' });
    expect(rec.invokes[1]).toEqual([IPC_CALL_CHANNEL, 'jobs.get', { id: 'job_1' }]);
    const calls = studio.calls as unknown as Record<string, Record<string, (req?: unknown) => Promise<unknown>>>;
    for (const name of CALL_NAMES) {
      const [ns, verb] = name.split('.') as [string, string];
      rec.invokes.length = 0;
      await calls[ns]?.[verb]?.({});
      expect(rec.invokes, name).toEqual([[IPC_CALL_CHANNEL, name, {}]]);
    }
    expect(rec.otherIpc).toEqual([]);
  });

  test('listens on studio:event only, and hands listeners the payload without the IPC event', () => {
    expect([...rec.listeners.keys()]).toEqual([IPC_EVENT_CHANNEL]);
    const fire = (...args: unknown[]) => {
      for (const l of rec.listeners.get(IPC_EVENT_CHANNEL) ?? []) l({ sender: 'ipc-event-with-sender' }, ...args);
    };
    const got: unknown[][] = [];
    const off = studio.on('log.line', (...args: unknown[]) => got.push(args));
    const line = { time: 't', level: 'info', scope: 's', message: 'm' };
    fire('log.line', line);
    fire('job.progress', { jobId: 'x' }); // another event: not this listener
    fire('not.an.event', {}); // unknown names are dropped
    expect(got).toEqual([[line]]);
    off();
    fire('log.line', line);
    expect(got.length).toBe(1);
    expect(EVENT_NAMES).toContain('log.line');
  });

  test('a throwing listener does not stop the others', () => {
    console.error = () => undefined;
    const got: unknown[] = [];
    const offA = studio.on('settings.changed', () => {
      throw new Error('boom');
    });
    const offB = studio.on('settings.changed', (p) => got.push(p));
    for (const l of rec.listeners.get(IPC_EVENT_CHANNEL) ?? []) l({}, 'settings.changed', { x: 1 });
    expect(got).toEqual([{ x: 1 }]);
    offA();
    offB();
  });

  test('on() refuses unknown event names', () => {
    expect(() => studio.on('fs.changed' as unknown as 'log.line', () => undefined)).toThrow(/unknown event/);
  });

  test('pathForFile asks webUtils for a dropped file’s path; none (a browser File) is null', () => {
    const pathForFile = studio.pathForFile;
    expect(pathForFile).toBeTypeOf('function');
    expect(pathForFile?.({ name: 'dropped.png' } as File)).toBe('/home/u/dropped.png');
    expect(pathForFile?.({ name: 'made-in-page.png' } as File)).toBeNull();
  });

  test('mediaUrl builds app-media:// URLs with each segment encoded', () => {
    expect(studio.mediaUrl('output', '2025-01-02/flux 1#a.jpg')).toBe('app-media://output/2025-01-02/flux%201%23a.jpg');
    expect(studio.mediaUrl('thumbs', '\\a\\b.png')).toBe('app-media://thumbs/a/b.png');
  });
});

