// The committed RunPod types are what openapi-typescript makes of the committed spec: a spec
// update without `npm run gen:runpod` (or a hand edit of runpod-api.d.ts) fails here.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { REPO_ROOT } from '../helpers/studio';

test('src-main/runpod/runpod-api.d.ts is exactly what scripts/gen-runpod-types.mjs generates from the spec', () => {
  const generated = execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'gen-runpod-types.mjs'), '--stdout'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const committed = fs.readFileSync(path.join(REPO_ROOT, 'src-main', 'runpod', 'runpod-api.d.ts'), 'utf8');
  expect(generated.length).toBeGreaterThan(100_000);
  expect(generated).toContain('"/v2/pods/{id}/action"');
  expect(generated === committed).toBe(true);
});
