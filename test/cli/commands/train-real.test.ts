// A training driven from a script with the CLI, against the REAL ai-toolkit (its own venv,
// scripts/ai-toolkit-venv.sh) on the tiny FLUX given as --base-model: settings point at the
// checkout and its python, `train plan --base-model … --print` gives the YAML (edited here for
// cheap CPU samples, as a user may), `train start … --target local --follow` trains to the end,
// and `train status NAME --json` has the run's state and its loss points, which are
// ai-toolkit's own loss_log.db.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { TrainingRun, TrainingRunDetail } from '@shared/contract/training';
import { runCliInProcess } from '../../helpers/cli';
import { tempDir } from '../../helpers/studio';
import { cheapSamples, lossLogPoints, realDataset, realToolkit, tinyFluxDev } from '../../training/real-toolkit';

const cli = runCliInProcess;

describe('train from a script with the real ai-toolkit', () => {
  test('settings, plan --base-model, start --follow, status --json', async () => {
    const dataDir = tempDir('flux-cli-real-');
    await realDataset(path.join(dataDir, 'datasets', 'faces'), 4);
    const { dir, python } = realToolkit();
    await cli(['settings', 'set', 'trainingToolkitDir', dir, '--data-dir', dataDir]);
    await cli(['settings', 'set', 'trainingPython', python, '--data-dir', dataDir]);
    const base = tinyFluxDev();
    const common = ['--dataset', 'faces', '--model', 'flux-dev', '--preset', '80gb-quick', '--target', 'local', '--steps', '4', '--name', 'cli_real', '--trigger', 'p3r5on', '--data-dir', dataDir];
    const yaml = await cli(['train', 'plan', ...common, '--base-model', base, '--print']);
    expect(yaml).toContain(`name_or_path: ${base}`);
    expect(yaml).toContain(`# flux-studio training plan: flux-dev, base model ${base} (local folder)`);
    expect(yaml).toMatch(/logging:\n\s+use_ui_logger: true\n\s+log_every: 1/);
    const file = path.join(dataDir, 'cli_real.yaml');
    fs.writeFileSync(file, cheapSamples(yaml));

    const started = JSON.parse(await cli(['train', 'start', ...common, '--config', file, '--follow', '--json'])) as TrainingRun;
    expect(started).toMatchObject({ id: 'cli_real', state: 'completed', step: 4, total: 4 });
    const status = JSON.parse(await cli(['train', 'status', 'cli_real', '--json', '--data-dir', dataDir])) as TrainingRunDetail;
    expect(status.run.state).toBe('completed');
    const db = lossLogPoints(python, path.join(dataDir, 'training-host', 'trainings', 'cli_real', 'cli_real', 'loss_log.db'));
    expect(db.map((p) => p.step)).toEqual([2, 3, 4]);
    expect(status.loss).toEqual(db);
    expect(status.checkpoints.map((c) => c.file)).toContain('cli_real.safetensors');
  }, 300_000);
});
