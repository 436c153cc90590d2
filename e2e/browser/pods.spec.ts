// Pods in the real `flux-studio serve`: add a pod by pasting an SSH command that points at a
// real OpenSSH server on 127.0.0.1, check and trust its host key in the fingerprint dialog,
// then generate on it (the stand-in worker in the pod venv) and see the image on Generate.
import path from 'node:path';
import { useLoopbackPod } from './e2e-kit';
import { test, expect, SCREENSHOT_DIR } from './serve-fixture';


test.describe('pods', () => {
  const loop = useLoopbackPod('flux-e2e-pod-');

  test('paste a command, trust the key, generate, see the image', async ({ page, served, pageErrors }) => {
    const { sshd, python, ws } = loop;
    test.setTimeout(120_000);
    await page.goto(`${served.openUrl}#/settings`);
    const section = page.getByTestId('settings-pods');
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
    await expect(row.getByTestId('pod-status-text')).toContainText('connected');
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
