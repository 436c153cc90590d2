// What a run's log means for its row: progress, resume confirmation, saves, sampling, OOM,
// stop and error (applyLogEvents); and, once the process is gone, how it ended (conclude:
// completed = exit 0 after the final checkpoint, stopped, failed with a reason, or lost).
// The loss points come from ai-toolkit's loss_log.db (loss-log.ts), not from the bar.
import type { LogEvent } from './log-parser';
import type { RunBook } from './run-book';
import type { RunPatch, RunRow } from './training-repo';

/** Apply parsed log events to the row (one transaction with the new offset). True when an artifact may have appeared. */
export function applyLogEvents(book: RunBook, id: string, events: LogEvent[], committedOffset: number): boolean {
  let artifacts = false;
  const row = book.repo.require(id);
  const patch: RunPatch = { log_offset: Math.max(row.log_offset, committedOffset) };
  const finalFile = `${row.id}.safetensors`;
  let changed = false;
  for (const e of events) {
    const outcome = patch.outcome !== undefined ? patch.outcome : row.outcome;
    const message = patch.message !== undefined ? patch.message : row.message;
    switch (e.type) {
      case 'progress': {
        // The bar gives the live step, speed and lr; the loss chart comes from loss_log.db (loss-log.ts).
        patch.step = e.step;
        patch.total = e.total;
        patch.seconds_per_step = e.secondsPerStep;
        if (e.lr !== null) patch.lr = e.lr;
        // After "Job stopped" tqdm redraws once more; while a save runs the bar is paused.
        if (outcome === null && !(message ?? '').startsWith('saving')) {
          patch.message = e.step >= e.total ? 'saving the final checkpoint' : 'training';
        }
        const expected = row.expected_resume_step ?? 0;
        const resumed = patch.resumed_from_step ?? row.resumed_from_step;
        if (expected > 0 && resumed == null && !(patch.resume_note ?? row.resume_note)) {
          patch.resume_note = `Resume did not continue from step ${expected}: ai-toolkit restarted from step ${Math.max(0, e.step - 1)}.`;
        }
        changed = true;
        break;
      }
      case 'images':
        patch.message = `found ${e.count} images`;
        changed = true;
        break;
      case 'sampling':
        if (outcome !== 'stopped') patch.message = e.total ? `sampling ${e.done}/${e.total}` : 'sampling';
        changed = true;
        break;
      case 'resuming':
        patch.message = 'resuming from checkpoint';
        changed = true;
        break;
      case 'resumed': {
        patch.resumed_from_step = e.step;
        patch.step = e.step;
        const expected = row.expected_resume_step ?? 0;
        patch.resume_note = expected > 0 && e.step !== expected ? `Resumed from step ${e.step}, expected ${expected}.` : null;
        patch.message = `resumed from step ${e.step}`;
        changed = true;
        break;
      }
      case 'saving':
        patch.message = `saving at step ${e.step}`;
        changed = true;
        break;
      case 'saved':
        // The final file is the run's result; "saving" lasts until optimizer.pt is written.
        if (e.path.split('/').pop() === finalFile && outcome !== 'error') patch.outcome = 'completed';
        patch.message = e.path.split('/').pop() === finalFile ? 'saving the final checkpoint' : (message ?? 'saving');
        artifacts = true;
        changed = true;
        break;
      case 'optimizerSaved':
        patch.message = 'saved checkpoint';
        artifacts = true;
        changed = true;
        break;
      case 'removed':
        break;
      case 'oom':
        patch.oom_count = (patch.oom_count ?? row.oom_count) + 1;
        patch.message = `out of GPU memory (batch skipped ${e.count}/3)`;
        changed = true;
        break;
      case 'stopped':
        // Stopped during the final sampling: the final checkpoint is there, the run is complete.
        if (outcome !== 'completed') patch.outcome = 'stopped';
        patch.message = 'stopped';
        changed = true;
        break;
      case 'error':
        patch.outcome = 'error';
        patch.error_message = e.message;
        changed = true;
        break;
      case 'line':
        break;
    }
    if (e.type === 'sampling' || e.type === 'saved') artifacts = true;
  }
  book.repo.update(id, patch);
  if (changed) book.emit(book.repo.require(id));
  return artifacts;
}

export function conclude(book: RunBook, id: string, exitCode: number | null): RunRow {
  const r = book.repo.require(id);
  const lastErr = r.error_message ?? '';
  if (r.outcome === 'error' || (exitCode !== null && exitCode !== 0)) {
    const oom = r.oom_count > 0 || /out of memory/i.test(lastErr);
    const message = oom
      ? `Out of GPU memory at step ${r.step}: ${lastErr || 'ai-toolkit gave up after repeated OOM'}. Pick a smaller preset (lower resolution, batch 1, quantize, low VRAM) and resume.`
      : lastErr
        ? `ai-toolkit failed at step ${r.step}: ${lastErr}`
        : `ai-toolkit exited with code ${exitCode} at step ${r.step}; see the log.`;
    return book.finish(id, 'failed', { error_code: oom ? 'oom' : 'training_error', error_message: message });
  } else if (r.outcome === 'stopped' || (r.stop_requested && r.outcome !== 'completed')) {
    return book.finish(id, 'stopped', { message: `stopped at step ${r.step}` });
  } else if (exitCode === 0 && r.outcome === 'completed') {
    // ai-toolkit prints nothing on success: exit 0 after the final "Saved checkpoint to …/<name>.safetensors".
    return book.finish(id, 'completed', { message: 'completed', step: Math.max(r.step, r.total) });
  } else if (exitCode === 0) {
    return book.finish(id, 'stopped', { message: `ended at step ${r.step} without the final checkpoint (${r.id}.safetensors)` });
  } else {
    return book.finish(id, 'lost', {
      error_code: 'process_gone',
      error_message: `The training process is gone without a result (killed, or the host restarted) at step ${r.step}. Resume it, or mark it as stopped.`,
    });
  }
}
