// The LoRA files trained here (fetched into <dataDir>/trainings/<id>/checkpoints), for
// Generate's LoRA picker: newest run first, final file first.
import type { TrainedLora } from '@shared/contract/training';
import type { TrainingConfig } from './config';
import type { RunBook } from './run-book';

export function trainedLoras(book: RunBook): TrainedLora[] {
  const out: TrainedLora[] = [];
  for (const r of book.list()) {
    const config = JSON.parse(r.config_json) as TrainingConfig;
    const trigger = config.config.process[0]?.trigger_word ?? null;
    for (const c of book.files.checkpoints(r.id)) {
      out.push({ runId: r.id, name: r.id, model: r.model, trigger, file: c.file, path: c.path, step: c.step, final: c.final });
    }
  }
  return out;
}
