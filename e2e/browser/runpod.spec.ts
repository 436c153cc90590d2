// RunPod on the Pods page (issue 15), in the real `flux-studio serve` against the local RunPod
// API server (spec-validated; pods are real loopback sshd's): create a pod from the form (the
// first GPU type has no capacity, the next is used), watch the create job inline and in the
// tray, see the header's spend chip move, generate on the pod (stand-in pipeline, as
// pods.spec.ts does), stop it, and terminate it through the confirmation that says the volume is
// destroyed. Then: without a key the page says so and takes one. At 1440×900 and 1024×700.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { ROOT } from './e2e-kit';
import { expect, SCREENSHOT_DIR, withRunpodServer } from './serve-fixture';

const FULL = 'NVIDIA GeForce RTX 4090';
const NEXT = 'NVIDIA RTX A6000';
const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;

// The pod's /workspace is a network volume whose folder is a temp dir here (a persistent volume
// would be made at the path the studio asks for, /workspace, on this machine).
const volumeDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'flux-e2e-rp-vol-')));
const test = withRunpodServer({ delays: { provisionMs: 300, startMs: 300, stopMs: 100 } }, async (rp) => {
  rp.setCapacity(FULL, 0);
  rp.addNetworkVolume({ name: 'flux-cache', size: 50, path: volumeDir });
  // A stopped pod made on runpod.io, with its own 20 GB volume (a temp folder the server removes on terminate).
  await rp.addPod({ name: 'website-pod', gpuId: NEXT, status: 'EXITED', volumePath: fs.mkdtempSync(path.join(os.tmpdir(), 'flux-e2e-rp-web-')), volumeGb: 20 });
});

test.afterAll(() => fs.rmSync(volumeDir, { recursive: true, force: true }));

function podPython(): string {
  return path.join(execFileSync('bash', [path.join(ROOT, 'scripts', 'pod-venv.sh')], { encoding: 'utf8' }).trim(), 'bin', 'python');
}

/** axe-core (WCAG 2.1 A/AA, contrast included) finds nothing serious or critical on the page as it is now. */
async function expectAccessible(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad).toEqual([]);
}

/** No part of the page is wider than the window (nothing to scroll sideways). */
async function expectNoSideways(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
  expect(overflow, 'horizontal overflow (px)').toBeLessThanOrEqual(0);
}

for (const vp of VIEWPORTS) {
  test(`${vp.width}×${vp.height}: create (next GPU on no capacity), spend chip, generate, stop, terminate`, async ({ page, served, runpod, pageErrors }) => {
    test.setTimeout(180_000);
    await page.setViewportSize(vp);
    await page.goto(`${served.openUrl}#/pods`);
    const section = page.getByTestId('runpod-section');
    const chip = page.getByTestId('spend-chip');
    // A pod made on the website is listed too, stopped, billed for its storage only.
    const website = section.getByTestId('runpod-pod').filter({ hasText: 'website-pod' });
    await expect(website).toHaveAttribute('data-status', 'EXITED');
    await expect(website).toContainText('made on runpod.io');
    await expect(website.getByTestId('runpod-pod-rate')).toContainText('(storage)');
    await expect(website.getByTestId('runpod-start')).toBeEnabled();
    await expect(chip.getByTestId('spend-chip-running')).toHaveText('0 pods');

    // The form: every disabled button says why; the catalog shows price and availability.
    await section.getByTestId('runpod-create').click();
    const form = page.getByTestId('runpod-create-form');
    await expect(form.getByTestId('create-submit')).toBeDisabled();
    await expect(form.getByTestId('create-reason')).toHaveText('Give the pod a name.');
    await form.getByTestId('create-name').fill(`e2e-${vp.width}`);
    await expect(form.getByTestId('create-reason')).toHaveText('Add at least one GPU type to try.');
    const pick = form.getByTestId('create-gpu-pick');
    await expect(pick.locator(`option[value="${FULL}"]`)).toHaveText(/RTX 4090 · 24 GB · \$0\.69\/h · none available now/);
    await pick.selectOption(FULL);
    await form.getByTestId('create-gpu-add').click();
    await pick.selectOption(NEXT);
    await form.getByTestId('create-gpu-add').click();
    await expect(form.getByTestId('create-candidate')).toHaveCount(2);
    await expect(form.getByTestId('create-candidate').first()).toHaveAttribute('data-gpu', FULL);
    await form.getByTestId('create-storage-network').check();
    await expect(form.getByTestId('create-network-volume')).toContainText('flux-cache');
    await expect(form.getByTestId('create-reason')).toHaveCount(0);
    await expect(form.getByTestId('create-image')).toHaveValue(/.+/);
    await form.screenshot({ path: path.join(SCREENSHOT_DIR, `runpod-create-form-${vp.width}.png`) });
    await expectAccessible(page);
    await form.getByTestId('create-submit').click();

    // Creating is a job: inline progress, and the same job in the tray.
    const progress = section.getByTestId('runpod-create-progress');
    await expect(progress).toBeVisible();
    await expect(progress.getByTestId('runpod-create-progress-text')).toContainText(`Creating e2e-${vp.width}`);
    await page.getByTestId('jobs-tray-button').click();
    await expect(page.getByTestId('job-item').filter({ hasText: `Create RunPod pod e2e-${vp.width}` })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(progress).toHaveAttribute('data-state', 'succeeded', { timeout: 60_000 });

    const row = section.getByTestId('runpod-pod').filter({ hasText: `e2e-${vp.width}` });
    await expect(row).toHaveAttribute('data-status', 'RUNNING', { timeout: 20_000 });
    await expect(row.getByTestId('runpod-pod-gpu')).toContainText('RTX A6000');
    await expect(row.getByTestId('runpod-linked')).toBeVisible();
    const created = runpod.pods().find((p) => p.name === `e2e-${vp.width}`);
    expect(created?.gpu?.id).toBe(NEXT);

    // The spend chip counts the running pod and its rate, and the session spend moves.
    await expect(chip.getByTestId('spend-chip-running')).toHaveText('1 pod');
    await expect(chip.getByTestId('spend-chip-rate')).not.toHaveText('$0.00/h');
    await expect.poll(async () => (await chip.getByTestId('spend-chip-session').textContent()) ?? '', { timeout: 30_000 }).not.toBe('$0.00 session');
    await expectNoSideways(page);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `runpod-pods-${vp.width}.png`), fullPage: true });
    await expectAccessible(page);

    // The linked profile: the loopback pod's volume folder and the stand-in worker in the pod venv.
    const ssh = page.getByTestId('ssh-pods');
    const profile = ssh.getByTestId('pod-row').filter({ hasText: `e2e-${vp.width}` });
    await profile.getByTestId('pod-edit').click();
    await ssh.locator('summary', { hasText: 'Advanced' }).click();
    await ssh.getByTestId('pod-workspace').fill(volumeDir);
    await ssh.getByTestId('pod-python').fill(podPython());
    await ssh.getByTestId('pod-pipeline').selectOption('standin');
    await ssh.getByTestId('pod-save').click();
    await expect(ssh.getByTestId('pod-editor')).toHaveCount(0);

    // Generate on it.
    await chip.click();
    await expect(page).toHaveURL(/#\/pods$/);
    await page.goto(`${served.openUrl}#/generate`);
    await expect(page.getByTestId('pod-picker')).toHaveValue(/pod-/);
    await page.getByTestId('generate-prompt').fill('a lighthouse on a cliff at dusk');
    await page.getByTestId('generate-submit').click();
    const view = page.getByTestId('generation-view');
    await expect(view).toHaveAttribute('data-state', 'succeeded', { timeout: 60_000 });
    await expect(view.getByTestId('generation-result')).toContainText(`e2e-${vp.width}`);

    // The generation armed the idle watchdog on the pod: its countdown shows, and Extend pushes it back.
    await page.goto(`${served.openUrl}#/pods`);
    const watchdog = row.getByTestId('runpod-watchdog');
    await expect(watchdog).toHaveAttribute('data-armed', 'true', { timeout: 20_000 });
    await expect(watchdog).toContainText(/Stops when idle in \d+:\d\d/);
    await watchdog.getByTestId('runpod-extend').click();
    await expect(watchdog).toContainText(/Stops when idle in (1[4-9]|2\d):\d\d/);

    // Its SSH profile is connected; the loopback pod has no GPU (its python is there: prepared),
    // so it is not "Ready" and says what is missing.
    const linkedStatus = profile.getByTestId('pod-status-text');
    await expect(linkedStatus).toHaveAttribute('data-readiness', 'missing');
    await expect(linkedStatus).toHaveText(/^Connected, not ready: no NVIDIA GPU[^·]*$/);

    // Stop: compute billing ends, the chip says so, Start comes back in the same place.
    await row.getByTestId('runpod-stop').click();
    await expect(row).toHaveAttribute('data-status', 'EXITED', { timeout: 20_000 });
    await expect(row.getByTestId('runpod-start')).toBeEnabled();
    await expect(chip.getByTestId('spend-chip-running')).toHaveText('0 pods');

    // Start again: a job with its progress on the row; then stop it for good.
    await row.getByTestId('runpod-start').click();
    await expect(row.getByTestId('runpod-start-progress-text')).toContainText(`Starting e2e-${vp.width}`);
    await expect(row.getByTestId('runpod-start-progress')).toHaveAttribute('data-state', 'succeeded', { timeout: 60_000 });
    await expect(row).toHaveAttribute('data-status', 'RUNNING', { timeout: 20_000 });
    await expect(chip.getByTestId('spend-chip-running')).toHaveText('1 pod');
    await row.getByTestId('runpod-stop').click();
    await expect(row).toHaveAttribute('data-status', 'EXITED', { timeout: 20_000 });

    // Terminate: its own dialog, which says the volume is destroyed and wants the name.
    await row.getByTestId('runpod-terminate').click();
    const dialog = page.getByTestId('terminate-dialog');
    await expect(dialog.getByTestId('terminate-warning')).toContainText('cannot be undone');
    await expect(dialog.getByTestId('terminate-warning')).toContainText('network volume');
    await expect(dialog.getByTestId('terminate-confirm')).toBeDisabled();
    await expect(dialog.getByTestId('terminate-reason')).toContainText(`e2e-${vp.width}`);
    await dialog.getByTestId('terminate-confirm-input').fill('e2e');
    await expect(dialog.getByTestId('terminate-confirm')).toBeDisabled();
    await dialog.getByTestId('terminate-confirm-input').fill(`e2e-${vp.width}`);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `runpod-terminate-${vp.width}.png`) });
    await expectAccessible(page);
    await dialog.getByTestId('terminate-confirm').click();
    await expect(dialog).toBeHidden();
    await expect(row).toHaveCount(0);
    expect(runpod.pod(created?.id ?? '')?.status ?? 'TERMINATED').toBe('TERMINATED');

    // The website's pod has its own volume: the dialog says it is destroyed.
    await website.getByTestId('runpod-terminate').click();
    await expect(dialog.getByTestId('terminate-warning')).toContainText('Its volume (20 GB) and container disk');
    await expect(dialog.getByTestId('terminate-warning')).toContainText('destroyed');
    await expect(dialog.getByTestId('terminate-confirm')).toHaveText('Terminate and destroy the volume');
    await dialog.getByTestId('terminate-confirm-input').fill('website-pod');
    await dialog.getByTestId('terminate-confirm').click();
    await expect(website).toHaveCount(0);
    await expect(page.getByTestId('runpod-empty')).toBeVisible();
    expect(runpod.violations()).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
}

const noKeyTest = withRunpodServer({}, undefined, { keyInEnv: false });

noKeyTest('without a RunPod key: the page says so and takes one; the chip appears with it', async ({ page, served, runpod, pageErrors }) => {
  await page.goto(`${served.openUrl}#/pods`);
  const noKey = page.getByTestId('runpod-no-key');
  await expect(noKey).toContainText('No RunPod API key is set');
  await expect(noKey.getByRole('link', { name: 'Settings → API keys' })).toHaveAttribute('href', '#/settings/runpod-key');
  await expect(noKey.getByTestId('runpod-key-save')).toBeDisabled();
  await expect(noKey.getByTestId('runpod-key-reason')).toHaveText('Paste the key first.');
  await expect(page.getByTestId('spend-chip')).toHaveCount(0);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'runpod-no-key.png'), fullPage: true });
  // A key RunPod refuses: said at the section, with the way to replace it.
  await noKey.getByTestId('runpod-key-input').fill('rpa_NOTTHEKEY0123456789');
  await noKey.getByTestId('runpod-key-save').click();
  await expect(page.getByTestId('runpod-error')).toHaveAttribute('data-code', 'forbidden');
  await page.getByRole('link', { name: /Replace the key/ }).click();
  await expect(page.getByTestId('secret-runpod-input')).toBeFocused();
  await page.getByTestId('secret-runpod-input').fill(runpod.apiKey);
  await page.getByTestId('secret-runpod-save').click();
  await page.getByTestId('nav-pods').click();
  await expect(page.getByTestId('runpod-empty')).toBeVisible();
  await expect(page.getByTestId('spend-chip')).toBeVisible();
  expect(pageErrors).toEqual([]);
});
