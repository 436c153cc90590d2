// Getting a run onto its host: ai-toolkit installed at the pinned commit in its own venv (pods), the dataset
// synced incrementally, then the detached launch (launcher.ts). A resume checks that the old
// process is gone and which checkpoint ai-toolkit will continue from.
import fs from 'node:fs';
import path from 'node:path';
import type { Host } from '../hosts/host';
import type { Logger } from '../logging/logger';
import { syncDataset } from './dataset-sync';
import { isAlive, launch, readExitCode, runFiles, type RunFiles } from './launcher';
import { checkpointStep } from './log-parser';
import type { RunBook } from './run-book';
import { AI_TOOLKIT_TORCH, type TrainingTarget } from './targets';
import type { TrainingConfig } from './config';

/**
 * ai-toolkit ready on the target. Local: the checkout from Settings as it is. Pods:
 * install_ai_toolkit.sh (native/pod) clones the pinned commit and builds ai-toolkit's own venv
 * (docs/architecture.md, "Training"); it is idempotent (keyed by commit + requirements + torch
 * build), so a second start, or a restarted pod on the same volume, costs one quick check.
 * Its progress lines become the run's message.
 */
export async function ensureToolkit(book: RunBook, id: string, target: TrainingTarget, signal?: AbortSignal, log?: Logger): Promise<void> {
  const { host, workspace: w } = target;
  if (!w.install) {
    const runPy = path.posix.join(w.toolkitDir, 'run.py');
    if (!(await host.stat(runPy))) throw new Error(`${w.toolkitDir} has no run.py: point the trainingToolkitDir setting at an ai-toolkit checkout.`);
    return;
  }
  const inst = w.install;
  const script = path.posix.join(path.posix.dirname(w.toolkitDir), 'flux-studio', 'install_ai_toolkit.sh');
  await host.mkdir(path.posix.dirname(script));
  await host.writeFile(script, fs.readFileSync(inst.script), { mode: 0o755 });
  const argv = [
    'bash',
    script,
    '--toolkit',
    w.toolkitDir,
    '--venv',
    inst.venv,
    '--repo',
    inst.repo,
    '--commit',
    inst.commit,
    '--torch-index',
    inst.torchIndex ?? 'auto',
    ...(inst.diffusers ? ['--diffusers', inst.diffusers] : []),
    '--',
    ...AI_TOOLKIT_TORCH,
  ];
  let stage = 'checking ai-toolkit';
  let pending = '';
  let lastPatch = 0;
  const onLine = (line: string) => {
    const m = /^flux-studio-install: (.*)$/.exec(line);
    if (m?.[1]) {
      stage = m[1].startsWith('[') ? `installing ai-toolkit ${m[1]}` : m[1];
      log?.info(`run ${id}: ${m[1]}`);
      book.patch(id, { message: stage });
      lastPatch = Date.now();
    } else if (line.trim() && Date.now() - lastPatch > 1000) {
      // pip's own lines ("Collecting …", "Installing collected packages …"), at most once a second.
      book.patch(id, { message: `${stage}: ${line.trim().slice(0, 120)}` });
      lastPatch = Date.now();
    }
  };
  const r = await host.exec(argv, {
    timeoutMs: 60 * 60_000,
    ...(signal ? { signal } : {}),
    maxBuffer: 256 * 1024,
    onStdout: (chunk) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    },
  });
  if (r.code !== 0) {
    const why = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' ');
    throw new Error(`installing ai-toolkit on ${target.label} failed (exit ${r.code ?? r.signal}): ${why}`);
  }
}

/** A first start: toolkit checked, dataset synced to the target. */
export async function prepareRun(book: RunBook, id: string, target: TrainingTarget, datasetDir: string, signal: AbortSignal, log: Logger): Promise<void> {
  const row = book.require(id);
  book.patch(id, { host_label: target.label, message: 'checking ai-toolkit' });
  await ensureToolkit(book, id, target, signal, log);
  const res = await syncDataset({
    host: target.host,
    localDir: datasetDir,
    hostDir: path.posix.join(target.workspace.datasetsDir, row.dataset),
    cacheFile: book.files.syncCache(row.target, row.dataset),
    signal,
    onProgress: (p) => {
      if (p.phase === 'uploading' || p.phase === 'deleting') book.patch(id, { message: `syncing dataset ${p.done}/${p.total}${p.file ? ` ${p.file}` : ''}` });
    },
  });
  log.info(`run ${id}: dataset synced (${res.uploaded.length} up, ${res.deleted.length} deleted, ${res.unchanged} unchanged)`);
}

/** A resume: the old process must be gone; the row learns which step ai-toolkit should continue from. */
export async function prepareResume(book: RunBook, id: string, target: TrainingTarget, steps: number | undefined): Promise<void> {
  const r = book.require(id);
  const files = runFiles(r.training_folder, r.id);
  if (r.pid && (await isAlive(target.host, r.pid)) && (await readExitCode(target.host, files)) === null) {
    throw Object.assign(new Error(`The run's process ${r.pid} is still alive on ${r.target}.`), { code: 'conflict' });
  }
  // The final file stands for the steps trained so far (the total before this resume).
  const expected = await newestCheckpointStep(target.host, files, r.id, r.total);
  const config = JSON.parse(r.config_json) as TrainingConfig;
  const proc = config.config.process[0];
  if (proc && steps !== undefined) proc.train.steps = steps;
  book.patch(id, {
    host_label: target.label,
    config_json: JSON.stringify(config),
    total: proc?.train.steps ?? r.total,
    expected_resume_step: expected,
    resumed_from_step: null,
    resume_note: null,
    message: expected > 0 ? `resuming from step ${expected}` : 'restarting (no checkpoint to resume from)',
  });
}

/** Launch detached; the row gets the pid and the log offset to follow from. */
export async function launchRun(book: RunBook, id: string, target: TrainingTarget): Promise<void> {
  const row = book.require(id);
  const files = runFiles(row.training_folder, row.id);
  const { pid, logOffset } = await launch(target.host, files, row.config_json, target.workspace.toolkitDir, target.workspace.python);
  book.patch(id, {
    state: 'running',
    pid,
    log_offset: logOffset,
    started_at: row.started_at ?? new Date().toISOString(),
    finished_at: null,
    message: row.expected_resume_step ? row.message : 'starting ai-toolkit',
  });
}

async function newestCheckpointStep(host: Host, files: RunFiles, name: string, total: number): Promise<number> {
  let entries: { name: string; mtimeMs: number }[] = [];
  try {
    entries = await host.list(files.output);
  } catch {
    return 0;
  }
  let best: { step: number; mtime: number } | null = null;
  for (const e of entries) {
    const s = checkpointStep(e.name, name);
    if (s === undefined) continue;
    const step = s ?? total;
    if (!best || e.mtimeMs > best.mtime || (e.mtimeMs === best.mtime && step > best.step)) best = { step, mtime: e.mtimeMs };
  }
  return best?.step ?? 0;
}
