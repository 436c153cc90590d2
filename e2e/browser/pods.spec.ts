// SSH pods in the real `flux-studio serve`, on the Pods page: add a pod by pasting an SSH
// command that points at a real OpenSSH server on 127.0.0.1, check and trust its host key in
// the fingerprint dialog, then generate on it (the stand-in worker in the pod venv) and see the
// image on Generate. Issue 16: a field's error shows at the field (item 12), Connect and
// Disconnect share one place and nothing re-flows (item 12), and a pod without a GPU or a
// worker environment is never called ready: it says what is missing and offers Prepare (item 5).
import path from 'node:path';
import type { Locator } from '@playwright/test';
import { useLoopbackPod } from './e2e-kit';
import { test, expect, SCREENSHOT_DIR } from './serve-fixture';

const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;

async function box(l: Locator): Promise<{ x: number; y: number; width: number }> {
  const b = await l.boundingBox();
  if (!b) throw new Error('not laid out');
  return { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width) };
}

/** The row's buttons where they are now (Connect or Disconnect share one slot). */
async function actionBoxes(row: Locator): Promise<unknown> {
  const slot = (await row.getByTestId('pod-connect').count()) > 0 ? row.getByTestId('pod-connect') : row.getByTestId('pod-disconnect');
  return { key: await box(row.getByTestId('pod-check-key')), slot: await box(slot), edit: await box(row.getByTestId('pod-edit')), remove: await box(row.getByTestId('pod-remove')) };
}

test.describe('pods', () => {
  const loop = useLoopbackPod('flux-e2e-pod-');

  for (const vp of VIEWPORTS) {
    test(`${vp.width}×${vp.height}: a name error shows at the field; Connect becomes Disconnect in place; no GPU and never prepared is not "Ready"`, async ({ page, served, pageErrors }) => {
      const { sshd, ws } = loop;
      test.setTimeout(90_000);
      await page.setViewportSize(vp);
      await page.goto(`${served.openUrl}#/pods`);
      const section = page.getByTestId('ssh-pods');

      // Item 12: saving without a name says so under the Name field, not at the bottom.
      await section.getByTestId('pod-add').click();
      await section.getByTestId('pod-paste').fill(`ssh ${sshd.user}@127.0.0.1 -p ${sshd.port} -i ${sshd.clientKeyPath}`);
      await section.getByTestId('pod-paste-fill').click();
      await expect(section.getByTestId('pod-port')).toHaveValue(String(sshd.port));
      await section.getByTestId('pod-save').click();
      const nameError = section.getByTestId('pod-name-error');
      await expect(nameError).toHaveText('Must not be empty');
      await expect(section.getByTestId('pod-editor-error')).toHaveCount(0);
      await expect(section.getByTestId('pod-name')).toHaveAttribute('aria-invalid', 'true');
      await expect(section.getByTestId('pod-name')).toBeFocused();
      const nameBox = await box(section.getByTestId('pod-name'));
      const errBox = await box(nameError);
      const hostBox = await box(section.getByTestId('pod-host'));
      expect(errBox.y, 'the error sits right under the Name field').toBeGreaterThan(nameBox.y);
      expect(errBox.y, 'and above the next field').toBeLessThan(hostBox.y);
      await section.screenshot({ path: path.join(SCREENSHOT_DIR, `pods-name-error-${vp.width}.png`) });
      // Typing clears it.
      await section.getByTestId('pod-name').fill('bare');
      await expect(nameError).toHaveCount(0);
      await section.locator('summary', { hasText: 'Advanced' }).click();
      await section.getByTestId('pod-workspace').fill(ws);
      await section.getByTestId('pod-save').click();
      await expect(section.getByTestId('pod-editor')).toHaveCount(0);

      const row = section.getByTestId('pod-row').filter({ hasText: 'bare' });
      await expect(row.getByTestId('pod-status-text')).toHaveText('host key not trusted yet');
      // Connect is disabled until the key is trusted, and says why next to it.
      await expect(row.getByTestId('pod-connect')).toBeDisabled();
      await expect(row.getByTestId('pod-untrusted-reason')).toContainText('host key trusted first');
      await row.getByTestId('pod-check-key').click();
      const dialog = page.getByTestId('fingerprint-dialog');
      await expect(dialog.getByTestId('fingerprint-value')).toHaveText(sshd.hostKeyFingerprint());
      await dialog.getByTestId('fingerprint-trust').click();
      await expect(dialog).toBeHidden();
      await expect(row.getByTestId('pod-untrusted-reason')).toHaveCount(0);

      // Item 12: Connect turns into Disconnect in the same place; the other buttons stay put.
      const before = await actionBoxes(row);
      await row.getByTestId('pod-connect').click();
      await expect(row.getByTestId('pod-status-dot')).toHaveAttribute('data-state', 'connected');
      await expect(row.getByTestId('pod-disconnect')).toBeVisible();
      await expect(row.getByTestId('pod-connect')).toHaveCount(0);
      expect(await actionBoxes(row)).toEqual(before);

      // Item 5: the loopback "pod" has no nvidia-smi and its workspace has no worker venv.
      const status = row.getByTestId('pod-status-text');
      await expect(status).toHaveAttribute('data-readiness', 'missing');
      await expect(status).toContainText('no NVIDIA GPU');
      await expect(status).toContainText('not prepared');
      await expect(status).not.toContainText('Ready');
      await expect(row.getByTestId('pod-prepare')).toBeEnabled();
      await expect(row.getByTestId('pod-prepare')).toHaveClass(/btn-primary/);
      await row.screenshot({ path: path.join(SCREENSHOT_DIR, `pods-not-ready-${vp.width}.png`) });

      // Disconnect is there, and gives Connect back in the same place.
      await row.getByTestId('pod-disconnect').click();
      await expect(row.getByTestId('pod-status-dot')).toHaveAttribute('data-state', 'disconnected');
      await expect(row.getByTestId('pod-connect')).toBeEnabled();
      expect(await actionBoxes(row)).toEqual(before);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `pods-page-${vp.width}.png`), fullPage: true });
      expect(pageErrors).toEqual([]);
    });
  }

  test('paste a command, trust the key, generate, see the image', async ({ page, served, pageErrors }) => {
    const { sshd, python, ws } = loop;
    test.setTimeout(120_000);
    await page.goto(`${served.openUrl}#/pods`);
    const section = page.getByTestId('ssh-pods');
    await section.getByTestId('pod-add').click();
    await section.getByTestId('pod-paste').fill(`ssh ${sshd.user}@127.0.0.1 -p ${sshd.port} -i ${sshd.clientKeyPath}`);
    await section.getByTestId('pod-paste-fill').click();
    await expect(section.getByTestId('pod-port')).toHaveValue(String(sshd.port));
    await expect(section.getByTestId('pod-keyPath')).toHaveValue(sshd.clientKeyPath);
    await section.getByTestId('pod-name').fill('loopback');
    await section.locator('summary', { hasText: 'Advanced' }).click();
    await section.getByTestId('pod-workspace').fill(ws);
    await section.getByTestId('pod-python').fill(python);
    await section.getByTestId('pod-pipeline').selectOption('standin');
    await section.getByTestId('pod-save').click();

    const row = section.getByTestId('pod-row').filter({ hasText: 'loopback' });
    await expect(row.getByTestId('pod-status-text')).toHaveText('host key not trusted yet');
    await row.getByTestId('pod-check-key').click();
    const dialog = page.getByTestId('fingerprint-dialog');
    await expect(dialog.getByTestId('fingerprint-value')).toHaveText(sshd.hostKeyFingerprint());
    await dialog.getByTestId('fingerprint-trust').click();
    await expect(dialog).toBeHidden();
    await row.getByTestId('pod-connect').click();
    await expect(row.getByTestId('pod-status-dot')).toHaveAttribute('data-state', 'connected');
    // Its own python runs there (prepared), but there is still no GPU: not ready, and it says why.
    await expect(row.getByTestId('pod-status-text')).toHaveText(/^Connected, not ready: no NVIDIA GPU[^·]*$/);
    await section.screenshot({ path: path.join(SCREENSHOT_DIR, 'pods-settings.png') });

    await page.goto(`${served.openUrl}#/generate`);
    await expect(page.getByTestId('generate-not-connected')).toHaveCount(0);
    await expect(page.getByTestId('pod-picker')).toHaveValue(/pod-/);
    await page.getByTestId('generate-prompt').fill('a lighthouse on a cliff at dusk');
    await page.getByTestId('generate-submit').click();
    const view = page.getByTestId('generation-view');
    await expect(view).toHaveAttribute('data-state', 'succeeded', { timeout: 60_000 });
    const img = view.getByTestId('generation-image');
    await expect(img).toBeVisible();
    await expect.poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await expect(view.getByTestId('generation-result')).toContainText('loopback');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'pods-generate.png') });
    expect(pageErrors).toEqual([]);
  });
});
