// A pod profile as a training target (the real PodsService + PodConnections over the loopback
// sshd): ai-toolkit is installed on the pod by the studio — git clone at the pinned commit,
// requirements into the pod's python — once (idempotent), then the run trains there.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestPod, type TestPod } from '../helpers/remote-pod';
import { requireSshd } from '../helpers/sshd';
import { tempDir } from '../helpers/studio';
import { ENDED, makeDataset, realPython, STANDIN_DIR, waitRun } from './helpers';

requireSshd();
const run = describe;

/** A git repository that stands in for github.com/ostris/ai-toolkit: run.py + requirements.txt. */
function toolkitRepo(): { repo: string; commit: string } {
  const repo = tempDir('flux-aitk-repo-');
  fs.copyFileSync(path.join(STANDIN_DIR, 'run.py'), path.join(repo, 'run.py'));
  fs.writeFileSync(path.join(repo, 'requirements.txt'), '# the stand-in needs only the standard library\n');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-C', repo, ...args], { encoding: 'utf8' }).trim();
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'stand-in');
  const commit = git('rev-parse', 'HEAD');
  fs.writeFileSync(path.join(repo, 'run.py'), 'raise SystemExit("a later commit: must not be used")\n');
  git('commit', '-qam', 'later');
  return { repo, commit };
}

run('training on a pod profile', () => {
  let pod: TestPod;
  let aitk: { repo: string; commit: string };
  beforeAll(async () => {
    aitk = toolkitRepo();
    pod = await startTestPod({ python: realPython(), studio: { training: { pollMs: 100, stopGraceMs: 3000, aiToolkit: aitk } } });
    makeDataset(path.join(pod.studio.info.dataDir, 'datasets', 'faces'), 4);
  });
  afterAll(async () => {
    await pod?.close();
  });

  async function train(name: string) {
    const target = `pod:${pod.pod.id}`;
    const options = await pod.studio.training.options();
    expect(options.targets.find((t) => t.id === target)).toMatchObject({ label: 'test pod', ready: true });
    const plan = await pod.studio.training.plan({ dataset: 'faces', model: 'flux-schnell', preset: '24gb-quick', target, name, trigger: 'tok', steps: 6, saveEvery: 3, sampleEvery: 3, test: { step_seconds: 0.05 } });
    expect(plan.yaml).toContain(`training_folder: ${pod.workspace}/trainings/${name}`);
    expect(plan.yaml).toContain(`folder_path: ${pod.workspace}/datasets/faces`);
    const r = await pod.studio.training.start({ yaml: plan.yaml, dataset: 'faces', model: 'flux-schnell', target });
    return waitRun(pod.studio, r.id, ENDED);
  }

  test('installs ai-toolkit at the pinned commit once, then trains on the pod', async () => {
    const end = await train('pod_first');
    expect(end.error).toBeNull();
    expect(end.state).toBe('completed');
    const toolkit = path.join(pod.workspace, 'ai-toolkit');
    expect(execFileSync('git', ['-C', toolkit, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()).toBe(aitk.commit);
    expect(fs.readFileSync(path.join(toolkit, '.flux-studio-commit'), 'utf8').trim()).toBe(aitk.commit);
    const marker = fs.statSync(path.join(toolkit, '.flux-studio-commit')).mtimeMs;
    expect(pod.studio.training.get('pod_first').checkpoints.map((c) => c.file)).toContain('pod_first.safetensors');

    // Idempotent: the second run finds the marker and installs nothing.
    const again = await train('pod_second');
    expect(again.state).toBe('completed');
    expect(fs.statSync(path.join(toolkit, '.flux-studio-commit')).mtimeMs).toBe(marker);
    expect(pod.studio.training.trainedLoras().map((l) => l.runId)).toEqual(expect.arrayContaining(['pod_first', 'pod_second']));
  });
});
