// Train → Generate with the trained LoRA, in the real `flux-studio serve`: a short local run on
// the stand-in ai-toolkit (real Python) makes real safetensors checkpoints; a pod is a real
// OpenSSH server on 127.0.0.1 with the stand-in worker. "Use in Generate" puts the final file
// in Generate's LoRA picker, the strength slider and the trigger button work, and the image is
// made with the LoRA uploaded to <workspace>/loras/ on the pod.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, TINY_JPEG as JPEG, api, useLoopbackPod } from './e2e-kit';
import { test, expect, SCREENSHOT_DIR } from './serve-fixture';



test.describe('trained LoRAs in Generate', () => {
  const loop = useLoopbackPod('flux-e2e-lora-pod-');

  test('train, use the final LoRA in Generate, set its strength and trigger, generate on the pod', async ({ page, served, pageErrors }) => {
    const { sshd, python, ws } = loop;
    test.setTimeout(150_000);
    // A short local training run (stand-in ai-toolkit) for real checkpoint files.
    const ds = path.join(served.dataDir, 'datasets', 'faces');
    fs.mkdirSync(ds, { recursive: true });
    for (let i = 0; i < 4; i++) {
      fs.writeFileSync(path.join(ds, `img_${i}.jpg`), JPEG);
      fs.writeFileSync(path.join(ds, `img_${i}.txt`), `[trigger] photo ${i}`);
    }
    const sysPython = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    await api(page, served, 'settings.update', { trainingToolkitDir: path.join(ROOT, 'native', 'fixtures', 'ai-toolkit-standin'), trainingPython: sysPython, openAfterGenerate: false });
    const plan = await api<{ yaml: string; name: string }>(page, served, 'training.plan', { dataset: 'faces', model: 'flux-dev', trigger: 'p3r5on', steps: 10, saveEvery: 5, sampleEvery: 10 });
    await api(page, served, 'training.start', { yaml: plan.yaml, dataset: 'faces', model: 'flux-dev' });
    await expect
      .poll(async () => (await api<{ run: { state: string } }>(page, served, 'training.get', { id: plan.name })).run.state, { timeout: 60_000 })
      .toBe('completed');

    // The pod.
    const pod = await api<{ id: string }>(page, served, 'pods.save', {
      name: 'loopback',
      host: '127.0.0.1',
      port: sshd.port,
      user: sshd.user,
      keyPath: sshd.clientKeyPath,
      workspace: ws,
      python,
      pipeline: 'standin',
    });
    await api(page, served, 'pods.trust', { id: pod.id, fingerprint: sshd.hostKeyFingerprint() });

    // Train page → "Use in Generate" on the final checkpoint.
    await page.goto(`${served.openUrl}#/train`);
    const detail = page.getByTestId('run-detail');
    await expect(detail).toHaveAttribute('data-run', plan.name);
    await detail.getByTestId('checkpoint').filter({ hasText: `${plan.name}.safetensors` }).getByTestId('checkpoint-use').click();
    await expect(page.getByTestId('page-generate')).toBeVisible();
    await expect(page.getByTestId('runtime-toggle').getByRole('radio', { name: 'Remote' })).toBeChecked();
    const picker = page.getByTestId('lora-picker');
    const row = picker.getByTestId('lora-row');
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(`${plan.name} · final · ${plan.name}.safetensors`);
    await expect(row.getByTestId('lora-scale-value')).toHaveText('1.00');
    await row.getByTestId('lora-scale').fill('0.65');
    await expect(row.getByTestId('lora-scale-value')).toHaveText('0.65');

    // The other checkpoint can be added from the list, and removed again.
    await picker.getByTestId('lora-select').selectOption({ index: 1 });
    await picker.getByTestId('lora-add').click();
    await expect(row).toHaveCount(2);
    await row.nth(1).getByTestId('lora-remove').click();
    await expect(row).toHaveCount(1);

    await page.getByTestId('generate-prompt').fill('a portrait in soft light');
    await row.getByTestId('lora-trigger').click();
    await expect(page.getByTestId('generate-prompt')).toHaveValue('p3r5on, a portrait in soft light');
    await row.getByTestId('lora-trigger').click(); // already there: unchanged
    await expect(page.getByTestId('generate-prompt')).toHaveValue('p3r5on, a portrait in soft light');

    await page.getByTestId('generate-submit').click();
    const view = page.getByTestId('generation-view');
    await expect(view).toHaveAttribute('data-state', 'succeeded', { timeout: 60_000 });
    await expect(view.getByTestId('generation-image')).toBeVisible();
    const uploaded = fs.readdirSync(path.join(ws, 'loras'));
    expect(uploaded).toHaveLength(1);
    expect(uploaded[0]).toMatch(new RegExp(`^[0-9a-f]{16}-${plan.name}\\.safetensors$`));
    const images = await api<{ items: { params: { loras: { name: string; scale: number }[] } }[] }>(page, served, 'gallery.search', { text: 'portrait' });
    expect(images.items[0]?.params.loras).toMatchObject([{ name: plan.name, scale: 0.65 }]);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'loras-generate.png') });
    expect(pageErrors).toEqual([]);
  });
});
