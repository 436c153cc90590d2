// Getting a run onto its host: ai-toolkit installed at the pinned commit (pods), the dataset
// synced incrementally, then the detached launch (launcher.ts). A resume checks that the old
// process is gone and which checkpoint ai-toolkit will continue from.
import path from 'node:path';
import type { Host } from '../hosts/host';
import type { Logger } from '../logging/logger';
import { syncDataset } from './dataset-sync';
import { isAlive, launch, readExitCode, runFiles, type RunFiles } from './launcher';
import { checkpointStep } from './log-parser';
import type { RunBook } from './run-book';
import type { TrainingTarget } from './targets';
import type { TrainingConfig } from './config';

export async function ensureToolkit(book: RunBook, id: string, target: TrainingTarget): Promise<void> {
  const { host, workspace: w } = target;
  const runPy = path.posix.join(w.toolkitDir, 'run.py');
  if (!w.install) {
    if (!(await host.stat(runPy))) throw new Error(`${w.toolkitDir} has no run.py: point the trainingToolkitDir setting at an ai-toolkit checkout.`);
    return;
  }
  const marker = path.posix.join(w.toolkitDir, '.flux-studio-commit');
  if ((await host.stat(marker)) && (await host.readFile(marker)).toString('utf8').trim() === w.install.commit) return;
  const run = async (argv: string[], what: string) => {
    book.patch(id, { message: what });
    const r = await host.exec(argv, { timeoutMs: 60 * 60_000 });
    if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code ?? r.signal}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
  };
  if (!(await host.stat(path.posix.join(w.toolkitDir, '.git')))) {
    await run(['git', 'clone', w.install.repo, w.toolkitDir], 'installing ai-toolkit (git clone)');
  } else {
    await run(['git', '-C', w.toolkitDir, 'fetch', '--quiet', 'origin'], 'updating ai-toolkit (git fetch)');
  }
  await run(['git', '-C', w.toolkitDir, 'checkout', '--quiet', w.install.commit], `checking out ai-toolkit ${w.install.commit}`);
  await run([w.python, '-m', 'pip', 'install', '--quiet', '-r', path.posix.join(w.toolkitDir, 'requirements.txt')], 'installing ai-toolkit requirements');
  await host.writeFile(marker, `${w.install.commit}\n`);
}

/** A first start: toolkit checked, dataset synced to the target. */
export async function prepareRun(book: RunBook, id: string, target: TrainingTarget, datasetDir: string, signal: AbortSignal, log: Logger): Promise<void> {
  const row = book.require(id);
  book.patch(id, { host_label: target.label, message: 'checking ai-toolkit' });
  await ensureToolkit(book, id, target);
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
