// registerIpc with a fake ipcMain and fake frames: the sender check runs before
// dispatch, refusals are envelopes (never throws), and events reach only a window that
// still shows the app.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type Envelope } from '@shared/contract';
import { LogSink, type Logger } from '../../src-main/logging/logger';
import { EventBus } from '../../src-main/core/event-bus';
import type { Studio } from '../../src-main/studio';
import { FORBIDDEN_ENVELOPE, registerIpc, type EventSink, type IpcOptions } from '../../src-main/app/ipc';
import { APP_ORIGIN } from '../../src-main/app/origins';
import { makeStudio } from '../helpers/studio';

// Electron's types stay out of tests (lint: only src-main/app imports 'electron'); they
// are taken from the module under test instead.
type Listener = Parameters<IpcOptions['ipcMain']['handle']>[1];
type InvokeEvent = Parameters<Listener>[0];

function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  return {
    handlers,
    handle(channel: string, listener: Listener) {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler(channel: string) {
      handlers.delete(channel);
    },
  };
}

interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}
const appFrame: FakeFrame = { url: 'app://studio/index.html', parent: null };
const eventFrom = (senderFrame: FakeFrame | null | (() => never)) =>
  (typeof senderFrame === 'function'
    ? Object.defineProperty({}, 'senderFrame', { get: senderFrame })
    : { senderFrame }) as unknown as InvokeEvent;

function recordingLog(): { log: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const sink = new LogSink({ file: null, consoleLevel: 'silent', fileLevel: 'debug', maxBytes: 1e6, maxFiles: 2, redactions: () => [] });
  sink.subscribe((line) => {
    if (line.level === 'warn') warnings.push(line.message);
  });
  return { log: sink.logger('ipc'), warnings };
}

function fakeWindow(url = 'app://studio/index.html') {
  const sent: unknown[][] = [];
  let destroyed = false;
  const sink = {
    mainFrame: { url },
    isDestroyed: () => destroyed,
    send: (...args: unknown[]) => sent.push(args),
  };
  return { sink: sink as unknown as EventSink, sent, destroy: () => (destroyed = true), frame: sink.mainFrame };
}

let studio: Studio | null = null;
afterEach(async () => {
  await studio?.close();
  studio = null;
});

describe('registerIpc: calls', () => {
  function setup(devOrigin: string | null = null) {
    const ipcMain = fakeIpcMain();
    const dispatch = vi.fn((name: unknown, _payload: unknown): Promise<Envelope<unknown>> => Promise.resolve({ ok: true, data: { called: name } }));
    const { log, warnings } = recordingLog();
    const undo = registerIpc({
      ipcMain,
      dispatch,
      events: new EventBus(),
      origins: { appOrigin: APP_ORIGIN, devOrigin },
      eventTarget: () => null,
      log,
    });
    const call = (event: InvokeEvent, name: unknown, payload: unknown = {}) => {
      const h = ipcMain.handlers.get(IPC_CALL_CHANNEL);
      if (!h) throw new Error('no handler');
      return Promise.resolve(h(event, name, payload)) as Promise<Envelope<unknown>>;
    };
    return { ipcMain, dispatch, warnings, undo, call };
  }

  test('only the studio:call channel is handled', () => {
    const { ipcMain } = setup();
    expect([...ipcMain.handlers.keys()]).toEqual([IPC_CALL_CHANNEL]);
  });

  test('the app top frame reaches dispatch with name and payload', async () => {
    const { dispatch, call } = setup();
    const res = await call(eventFrom(appFrame), 'settings.get', { a: 1 });
    expect(res).toEqual({ ok: true, data: { called: 'settings.get' } });
    expect(dispatch).toHaveBeenCalledWith('settings.get', { a: 1 });
  });

  test.each([
    ['a null frame', eventFrom(null)],
    ['a frame that throws when read', eventFrom(() => { throw new Error('frame destroyed'); })],
    ['a sub-frame of the app', eventFrom({ url: 'app://studio/index.html', parent: appFrame })],
    ['file://', eventFrom({ url: 'file:///tmp/index.html', parent: null })],
    ['http://evil', eventFrom({ url: 'http://evil.example/', parent: null })],
    ['app://other', eventFrom({ url: 'app://other/index.html', parent: null })],
    ['a malformed URL', eventFrom({ url: '::::', parent: null })],
    ['about:blank', eventFrom({ url: 'about:blank', parent: null })],
    ['the dev server when not in dev', eventFrom({ url: 'http://localhost:5173/', parent: null })],
  ])('%s is refused with a forbidden envelope before dispatch, and logged', async (_what, event) => {
    const { dispatch, warnings, call } = setup();
    const res = await call(event, 'secrets.set', { name: 'runpod', value: 'x' });
    expect(res).toEqual(FORBIDDEN_ENVELOPE);
    expect(res.ok === false && res.error.code).toBe('forbidden');
    expect(dispatch).not.toHaveBeenCalled();
    expect(warnings.some((w) => w.includes('refused IPC call secrets.set'))).toBe(true);
  });

  test('the dev server top frame is trusted in dev only', async () => {
    const { dispatch, call } = setup('http://localhost:5173');
    const res = await call(eventFrom({ url: 'http://localhost:5173/', parent: null }), 'settings.get');
    expect(res.ok).toBe(true);
    expect(dispatch).toHaveBeenCalledTimes(1);
  });

  test('the unregister function removes the handler', () => {
    const { ipcMain, undo } = setup();
    undo();
    expect(ipcMain.handlers.size).toBe(0);
  });
});

describe('registerIpc: with a real studio', () => {
  test('settings.get answers data; unknown calls and bad payloads answer error envelopes', async () => {
    studio = await makeStudio();
    const ipcMain = fakeIpcMain();
    const { log } = recordingLog();
    registerIpc({ ipcMain, dispatch: studio.dispatch, events: studio.events, origins: { appOrigin: APP_ORIGIN, devOrigin: null }, eventTarget: () => null, log });
    const h = ipcMain.handlers.get(IPC_CALL_CHANNEL);
    if (!h) throw new Error('no handler');
    const settings = (await h(eventFrom(appFrame), 'settings.get', {})) as Envelope<{ outputDir: string }>;
    expect(settings.ok).toBe(true);
    expect(settings.ok && typeof settings.data.outputDir).toBe('string');
    const unknown = (await h(eventFrom(appFrame), 'fs.readFile', { path: '/etc/passwd' })) as Envelope<unknown>;
    expect(unknown.ok === false && unknown.error.code).toBe('unknown_call');
    const bad = (await h(eventFrom(appFrame), 'settings.update', { outputDir: 'relative' })) as Envelope<unknown>;
    expect(bad.ok === false && bad.error.code).toBe('invalid_input');
  });
});

describe('registerIpc: events', () => {
  function setup(win: ReturnType<typeof fakeWindow> | null) {
    const events = new EventBus();
    const { log } = recordingLog();
    registerIpc({
      ipcMain: fakeIpcMain(),
      dispatch: () => Promise.resolve({ ok: true, data: null }),
      events,
      origins: { appOrigin: APP_ORIGIN, devOrigin: null },
      eventTarget: () => win?.sink ?? null,
      log,
    });
    return events;
  }
  const line = { time: '2025-01-01T00:00:00.000Z', level: 'info' as const, scope: 't', message: 'hello' };

  test('events go to the window on studio:event as (name, payload)', () => {
    const win = fakeWindow();
    setup(win).emit('log.line', line);
    expect(win.sent).toEqual([[IPC_EVENT_CHANNEL, 'log.line', line]]);
  });

  test('no window, a destroyed window or a window showing another origin gets nothing', () => {
    setup(null).emit('log.line', line); // must not throw
    const gone = fakeWindow();
    const bus = setup(gone);
    gone.destroy();
    bus.emit('log.line', line);
    expect(gone.sent).toEqual([]);
    const elsewhere = fakeWindow('https://evil.example/');
    setup(elsewhere).emit('log.line', line);
    expect(elsewhere.sent).toEqual([]);
  });
});
