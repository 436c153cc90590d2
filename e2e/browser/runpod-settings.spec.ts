// Settings → RunPod costs in a real browser against `flux-studio serve`: the budget caps,
// the idle stop, what "Train on RunPod" does with its pod and the stall guard are saved as
// typed, a bad value is refused at its field with the rule, and an empty cap means none.
import { test, expect } from './serve-fixture';
import { api } from './e2e-kit';
import type { Settings } from '@shared/contract';

for (const size of [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
]) {
  test(`RunPod costs settings persist and refuse bad values (${size.width}×${size.height})`, async ({ page, served, pageErrors }) => {
    await page.setViewportSize(size);
    await page.goto(`${served.openUrl}#/settings`);
    await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
    const section = page.getByTestId('settings-runpod');
    await section.scrollIntoViewIfNeeded();

    const session = section.getByTestId('settings-budget-session');
    await session.fill('-3');
    await session.press('Enter');
    await expect(section.getByTestId('settings-budget-session-error')).toContainText('or leave it empty for no cap');
    await session.fill('12.5');
    await session.press('Enter');
    await expect(section.getByTestId('settings-budget-session-saved')).toBeVisible();

    const idle = section.getByTestId('settings-idle-stop');
    await idle.fill('30');
    await idle.press('Enter');
    await expect(section.getByTestId('settings-idle-stop-saved')).toBeVisible();

    await section.getByTestId('settings-after-training').getByRole('radio', { name: /Terminate/ }).click();
    await section.getByTestId('settings-stop-on-stall').click();

    await expect
      .poll(async () => {
        const s = await api<Settings>(page, served, 'settings.get');
        return [s.runpodBudgetSessionUsd, s.runpodBudgetMonthUsd, s.runpodIdleStopMinutes, s.runpodAfterTraining, s.stopPodOnStall];
      })
      .toEqual([12.5, null, 30, 'terminate', true]);

    // Emptied: no cap any more.
    await session.fill('');
    await session.press('Enter');
    await expect.poll(async () => (await api<Settings>(page, served, 'settings.get')).runpodBudgetSessionUsd).toBeNull();
    expect(pageErrors).toEqual([]);
  });
}
