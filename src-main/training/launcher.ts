// Detached launch on a Host (docs/architecture.md, "Training"). Two small scripts are written into the
// run's folder on the host and run with argv — no user text on any command line: the run
// folder and the name are validated slugs, the toolkit folder and python come from
// Settings or the pod profile and travel as arguments, everything else is in config.json.
//
//   start.sh <toolkit dir> <python>    → setsid nohup bash run_job.sh … >> train.log 2>&1 < /dev/null & echo $! > pid
//   run_job.sh <toolkit dir> <python>  → cd toolkit; PYTHONUNBUFFERED=1; python run.py <run>/config.json; echo $? > exit_code
//
// `$!` is the new session's leader, so pid = pgid and stop signals the whole group. Python
// is exec'd with SIGINT reset to default (a background job of a non-interactive shell
// inherits SIGINT ignored), so SIGINT prints ai-toolkit's "Job stopped".
import path from 'node:path';
import type { Host } from '../hosts/host';

export const RUN_JOB_SH = `#!/usr/bin/env bash
# flux-studio: runs ai-toolkit for this run folder; written by the studio, do not edit.
JOB="$(cd "$(dirname "$0")" && pwd)"
cd "$1" || { echo 90 > "$JOB/exit_code"; exit 90; }
[ -f /etc/rp_environment ] && . /etc/rp_environment
export PATH="$PATH:/usr/local/cuda/bin" PYTHONUNBUFFERED=1
[ -d /workspace/.cache ] && export HF_HOME=/workspace/.cache
"$2" -c 'import os,signal,sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' "$2" run.py "$JOB/config.json"
echo $? > "$JOB/exit_code"
`;

export const START_SH = `#!/usr/bin/env bash
# flux-studio: launches run_job.sh detached (own session, all three streams redirected).
JOB="$(cd "$(dirname "$0")" && pwd)"
cd "$JOB" && rm -f exit_code pid || exit 1
setsid nohup bash ./run_job.sh "$1" "$2" >> train.log 2>&1 < /dev/null &
echo $! > pid
`;

export interface RunFiles {
  dir: string;
  log: string;
  pid: string;
  exitCode: string;
  config: string;
  /** ai-toolkit's output folder: <training_folder>/<name>. */
  output: string;
}

export function runFiles(trainingFolder: string, name: string): RunFiles {
  const j = path.posix.join;
  return {
    dir: trainingFolder,
    log: j(trainingFolder, 'train.log'),
    pid: j(trainingFolder, 'pid'),
    exitCode: j(trainingFolder, 'exit_code'),
    config: j(trainingFolder, 'config.json'),
    output: j(trainingFolder, name),
  };
}

async function readText(host: Host, file: string): Promise<string | null> {
  if (!(await host.stat(file))) return null;
  return (await host.readFile(file)).toString('utf8');
}

/** Write the scripts and the config, then launch detached. Returns the pid and the log size before launch. */
export async function launch(host: Host, files: RunFiles, configJson: string, toolkitDir: string, python: string): Promise<{ pid: number; logOffset: number }> {
  await host.mkdir(files.dir);
  await host.writeFile(path.posix.join(files.dir, 'run_job.sh'), RUN_JOB_SH, { mode: 0o755 });
  await host.writeFile(path.posix.join(files.dir, 'start.sh'), START_SH, { mode: 0o755 });
  await host.writeFile(files.config, configJson);
  const logOffset = (await host.stat(files.log))?.size ?? 0;
  const r = await host.exec(['bash', path.posix.join(files.dir, 'start.sh'), toolkitDir, python], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`could not launch ai-toolkit (exit ${r.code ?? r.signal}): ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
  const pid = await readPid(host, files);
  if (pid === null) throw new Error('the launcher wrote no pid file');
  return { pid, logOffset };
}

export async function readPid(host: Host, files: RunFiles): Promise<number | null> {
  const text = await readText(host, files.pid);
  const n = Number(text?.trim());
  return Number.isInteger(n) && n > 1 ? n : null;
}

export async function readExitCode(host: Host, files: RunFiles): Promise<number | null> {
  const text = await readText(host, files.exitCode);
  if (text === null || text.trim() === '') return null;
  const n = Number(text.trim());
  return Number.isInteger(n) ? n : null;
}

/** Alive = the process exists and is not a zombie (PID 1 may not reap in a container). */
export async function isAlive(host: Host, pid: number): Promise<boolean> {
  const r = await host.exec(['cat', `/proc/${pid}/stat`], { timeoutMs: 15_000 });
  if (r.code === 0) {
    const state = /\)\s+(\S)/.exec(r.stdout)?.[1];
    return state !== undefined && state !== 'Z' && state !== 'X';
  }
  const k = await host.exec(['kill', '-0', String(pid)], { timeoutMs: 15_000 });
  return k.code === 0;
}

/** Signal the run's process group (pid = pgid). */
export async function signalGroup(host: Host, pid: number, signal: 'INT' | 'TERM' | 'KILL'): Promise<void> {
  await host.exec(['kill', `-${signal}`, '--', `-${pid}`], { timeoutMs: 15_000 });
}

/** Has the whole group gone (kill -0 on the group fails once no member is left)? */
export async function groupGone(host: Host, pid: number): Promise<boolean> {
  const r = await host.exec(['kill', '-0', '--', `-${pid}`], { timeoutMs: 15_000 });
  return r.code !== 0;
}
