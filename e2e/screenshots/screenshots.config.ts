import { defineConfig } from '@playwright/test';
import base from '../../playwright.config';

// `npm run screenshots`: the studio tour (e2e/browser/studio-tour.ts) photographed into
// docs/screenshots/. Its own config so `npm test` / `playwright test` never rewrite the
// committed pictures; the browser settings are the browser project's.
const browser = base.projects?.find((p) => p.name === 'browser');
if (!browser) throw new Error('playwright.config.ts has no "browser" project to take the Chromium settings from');

export default defineConfig({
  testDir: '.',
  outputDir: '../../test-results/screenshots-run',
  workers: 1,
  retries: 0,
  timeout: 30 * 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  projects: [{ name: 'screenshots', testMatch: 'screenshots.spec.ts', use: { ...browser.use, trace: 'off', screenshot: 'off' } }],
});
