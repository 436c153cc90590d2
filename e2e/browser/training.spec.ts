// The Train page against the real `flux-studio serve`: Settings point local training at the
// stand-in ai-toolkit (native/fixtures/ai-toolkit-standin/run.py, real Python, real time);
// the Datasets handoff opens the wizard, the YAML is edited and re-validated, the run starts,
// progress, the loss chart and samples arrive live, then stop, resume (confirmed step), done.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, TINY_JPEG as JPEG, api } from './e2e-kit';
import { test, expect, SCREENSHOT_DIR } from './serve-fixture';



test('train a LoRA from the wizard: edit + validate YAML, live progress and samples, stop, resume, complete', async ({ page, served, pageErrors }) => {
  test.setTimeout(180_000);
  const ds = path.join(served.dataDir, 'datasets', 'faces');
  fs.mkdirSync(ds, { recursive: true });
  for (let i = 0; i < 6; i++) {
    fs.writeFileSync(path.join(ds, `img_${i}.jpg`), JPEG);
    fs.writeFileSync(path.join(ds, `img_${i}.txt`), `[trigger] photo ${i}`);
  }
  const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  await api(page, served, 'settings.update', { trainingToolkitDir: path.join(ROOT, 'native', 'fixtures', 'ai-toolkit-standin'), trainingPython: python });

  // The Datasets page hands a dataset over by URL.
  await page.goto(`${served.openUrl}#/train?dataset=faces`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  const wizard = page.getByTestId('train-wizard');
  await expect(wizard).toBeVisible();
  await expect(page.getByTestId('train-dataset')).toHaveValue('faces');
  await expect(page.getByTestId('train-target')).toHaveValue('local');
  await page.getByTestId('train-next').click(); // → model (FLUX.1-dev is the default)
  await expect(page.getByTestId('train-model-flux-dev').locator('input')).toBeChecked();
  // A local diffusers copy of the base model instead of the Hugging Face id (the stand-in does not load it).
  await page.getByTestId('train-base-model').fill('/models/FLUX.1-dev');
  await page.getByTestId('train-next').click(); // → preset
  await page.getByTestId('train-steps').fill('40');
  await page.getByTestId('train-next').click(); // → trigger & samples
  await expect(page.getByTestId('train-prompts')).toHaveValue(/\[trigger\]/);
  await page.getByTestId('train-trigger').fill('p3r5on');
  await page.getByTestId('train-sample-every').fill('10');
  await page.getByTestId('train-save-every').fill('5');
  await page.getByTestId('train-next').click(); // → name
  await expect(page.getByTestId('train-name')).toHaveValue('faces_flux_dev');
  await page.getByTestId('train-next').click(); // → review
  const yamlBox = page.getByTestId('train-yaml');
  await expect(yamlBox).toHaveValue(/trigger_word: p3r5on/);
  await expect(yamlBox).toHaveValue(/network:\n\s+type: lora/);
  await expect(yamlBox).toHaveValue(/name_or_path: \/models\/FLUX\.1-dev/);
  await expect(yamlBox).toHaveValue(/base model \/models\/FLUX\.1-dev \(local folder\)/);
  const yaml = await yamlBox.inputValue();

  // An invalid edit is caught with the field's path; fixing it clears the error.
  await yamlBox.fill(yaml.replace('optimizer: adamw8bit', 'optimizer: sgd'));
  await expect(page.getByTestId('train-yaml-errors')).toContainText('config.process[0].train.optimizer');
  await expect(page.getByTestId('train-start')).toBeDisabled();
  // Slow the stand-in down so there is time to watch (a test hook ai-toolkit ignores).
  await yamlBox.fill(`${yaml}flux_studio_test:\n  step_seconds: 0.3\n`);
  await expect(page.getByTestId('train-yaml-errors')).toHaveCount(0);
  await page.getByTestId('train-start').click();

  const detail = page.getByTestId('run-detail');
  await expect(detail).toHaveAttribute('data-run', 'faces_flux_dev');
  await expect(detail.getByTestId('run-state')).toHaveAttribute('data-state', 'running', { timeout: 30_000 });
  await expect(detail.getByTestId('run-step')).toHaveText(/step (1[2-9]|[2-3]\d)\/40/, { timeout: 30_000 });
  await expect(detail.getByTestId('sample-image').first()).toBeVisible();
  expect(Number(await detail.getByTestId('loss-chart').getAttribute('data-points'))).toBeGreaterThan(5);
  await expect(detail.getByTestId('run-eta')).not.toHaveText('ETA —');
  await expect(page.getByTestId('train-run').first()).toContainText('faces_flux_dev');
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'train-running.png') });

  await detail.getByTestId('run-stop').click();
  await expect(detail.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped', { timeout: 30_000 });
  await expect(detail.getByTestId('run-log')).toContainText('Job stopped');
  const stoppedAt = Number(/step (\d+)\//.exec((await detail.getByTestId('run-step').textContent()) ?? '')?.[1]);
  await expect(detail.getByTestId('checkpoint').first()).toBeVisible();
  expect(stoppedAt).toBeGreaterThan(0);
  // ai-toolkit saves step_num N while its bar shows N (then moves it to N + 1): the newest checkpoint says where it resumes.
  const stoppedRun = await api<{ checkpoints: { step: number | null }[] }>(page, served, 'training.get', { id: 'faces_flux_dev' });
  const newest = Math.max(...stoppedRun.checkpoints.map((c) => c.step ?? 0));

  await detail.getByTestId('run-resume').click();
  await expect(detail.getByTestId('run-resumed')).toHaveText(`Resumed from step ${newest} (confirmed by ai-toolkit).`, { timeout: 30_000 });
  await expect(detail.getByTestId('run-state')).toHaveAttribute('data-state', 'completed', { timeout: 60_000 });
  await expect(detail.getByTestId('checkpoints')).toContainText('faces_flux_dev.safetensors');
  await expect(detail.getByTestId('samples-row').first()).toHaveAttribute('data-step', '40');
  await expect(detail.getByTestId('run-resume-note')).toHaveCount(0);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'train-completed.png') });
  expect(pageErrors).toEqual([]);
});

test('the queue: runs on one target wait their turn; reorder and cancel from the Train page; the jobs tray shows the training', async ({ page, served, pageErrors }) => {
  test.setTimeout(120_000);
  const ds = path.join(served.dataDir, 'datasets', 'faces');
  fs.mkdirSync(ds, { recursive: true });
  for (let i = 0; i < 3; i++) {
    fs.writeFileSync(path.join(ds, `img_${i}.jpg`), JPEG);
    fs.writeFileSync(path.join(ds, `img_${i}.txt`), `[trigger] photo ${i}`);
  }
  const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  await api(page, served, 'settings.update', { trainingToolkitDir: path.join(ROOT, 'native', 'fixtures', 'ai-toolkit-standin'), trainingPython: python });
  const start = async (name: string, steps: number, stepSeconds: number) => {
    const plan = await api<{ yaml: string }>(page, served, 'training.plan', {
      dataset: 'faces', model: 'sd15', preset: '24gb-quick', target: 'local', name, trigger: 'tok', steps, sampleEvery: 1000, saveEvery: 1000, test: { step_seconds: stepSeconds },
    });
    return api<{ id: string; state: string; jobId: string }>(page, served, 'training.start', { yaml: plan.yaml, dataset: 'faces', model: 'sd15', target: 'local' });
  };
  const first = await start('night_1', 400, 0.2);
  await start('night_2', 2, 0.05);
  await start('night_3', 2, 0.05);
  await start('night_4', 2, 0.05);

  await page.goto(`${served.openUrl}#/train`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  const queue = page.getByTestId('train-queue');
  const items = queue.getByTestId('queue-item');
  await expect(items).toHaveCount(3);
  await expect(items.nth(0)).toHaveAttribute('data-run', 'night_2');
  await expect(items.nth(0).getByTestId('queue-up')).toBeDisabled();
  await expect(items.nth(2).getByTestId('queue-down')).toBeDisabled();

  // night_3 up: it runs next; night_4 out of the queue.
  await items.nth(1).getByTestId('queue-up').click();
  await expect(items.nth(0)).toHaveAttribute('data-run', 'night_3');
  await expect(items.nth(1)).toHaveAttribute('data-run', 'night_2');
  await queue.locator('[data-run="night_4"]').getByTestId('queue-cancel').click();
  await expect(items).toHaveCount(2);
  await expect(page.locator('[data-testid="train-run"][data-run="night_4"]').getByTestId('run-state')).toHaveAttribute('data-state', 'stopped');

  // The running training is a job in the tray, with its progress; its cancel is Stop.
  await page.getByTestId('jobs-tray-button').click();
  const job = page.locator(`[data-testid="job-item"][data-job-id="${first.jobId}"]`);
  await expect(job.getByTestId('job-title')).toHaveText('Train night_1');
  await expect(job.getByTestId('job-message')).toContainText(/training · step \d+\/400 · .* left/, { timeout: 30_000 });
  await job.getByTestId('job-cancel').click();
  await expect(page.locator('[data-testid="train-run"][data-run="night_1"]').getByTestId('run-state')).toHaveAttribute('data-state', 'stopped', { timeout: 30_000 });

  // Then the queue runs in its order: night_3, then night_2.
  await expect(page.locator('[data-testid="train-run"][data-run="night_2"]').getByTestId('run-state')).toHaveAttribute('data-state', 'completed', { timeout: 60_000 });
  await expect(items).toHaveCount(0);
  const runs = await api<{ id: string; startedAt: string; finishedAt: string }[]>(page, served, 'training.list', {});
  const at = (id: string, k: 'startedAt' | 'finishedAt') => Date.parse(runs.find((r) => r.id === id)?.[k] as string);
  expect(at('night_2', 'startedAt')).toBeGreaterThanOrEqual(at('night_3', 'finishedAt'));
  expect(runs.find((r) => r.id === 'night_4')?.startedAt).toBeNull();
  expect(pageErrors).toEqual([]);
});
