// The local inference worker as an Electron utility process: the packaged app's runAsNode
// fuse is off, so child_process.fork cannot run out/main/local-worker.js with the app
// binary. utilityProcess gives the same thing (a Node process with structured-clone
// messages) and ends with kill(), returning the model's memory to the OS.
import { utilityProcess } from 'electron';
import type { WorkerSpawner } from '../generation/local/onnx-worker-client';
import type { FromWorker } from '../generation/local/onnx-worker-protocol';

export const utilityProcessSpawner: WorkerSpawner = (workerPath) => {
  const child = utilityProcess.fork(workerPath, [], { serviceName: 'flux-studio-local-inference', stdio: 'pipe' });
  const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
  child.once('exit', (code) => {
    for (const fn of exitListeners) fn(code, null);
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (msg) => child.postMessage(msg),
    onMessage: (fn) => void child.on('message', (m: unknown) => fn(m as FromWorker)),
    onExit: (fn) => void exitListeners.push(fn),
    onOutput: (fn) => {
      child.stdout?.on('data', (c: Buffer) => fn(c.toString('utf8')));
      child.stderr?.on('data', (c: Buffer) => fn(c.toString('utf8')));
    },
    kill: () => void child.kill(),
  };
};
