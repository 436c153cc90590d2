// Where a training runs (a Host plus its folder layout) and which datasets exist. Both are
// small interfaces so the training service does not depend on the pods or datasets
// capabilities: the studio wires the real ones (pods → SshHost, DatasetService) and tests
// wire LocalHost stand-ins.
import fs from 'node:fs';
import path from 'node:path';
import type { Host } from '../hosts/host';
import { LocalHost } from '../hosts/local-host';
import type { Settings } from '@shared/contract';

/** ai-toolkit at a pinned commit: its defaults and config keys change often between commits. */
export const AI_TOOLKIT_REPO = 'https://github.com/ostris/ai-toolkit.git';
export const AI_TOOLKIT_COMMIT = '27a03a91f23e';
/** The torch build ai-toolkit's README installs first at that commit (its requirements do not pin torch). */
export const AI_TOOLKIT_TORCH = ['torch==2.13.0', 'torchvision==0.28.0', 'torchaudio==2.11.0'] as const;

/** Where a pod installs ai-toolkit from (native/pod/install_ai_toolkit.sh does the work). */
export interface ToolkitSource {
  repo: string;
  commit: string;
  /** Replaces requirements' `git+…diffusers` line (tests: the vendored folder; github is out of reach there). */
  diffusers?: string;
  /** "auto" (from nvidia-smi's driver version, the default), "pypi" (PyPI's own wheels), or an index URL. */
  torchIndex?: string;
}

export interface ToolkitInstall extends ToolkitSource {
  /** install_ai_toolkit.sh on this machine (native/pod). */
  script: string;
  /** ai-toolkit's own venv on the host (its pins clash with the generation worker's venv). */
  venv: string;
}

export interface TrainingWorkspace {
  /** ai-toolkit's checkout (run.py inside). */
  toolkitDir: string;
  /** The Python that runs run.py. */
  python: string;
  /** <root>/datasets: each dataset synced to <datasetsDir>/<name>. */
  datasetsDir: string;
  /** <root>/trainings: each run in <trainingsDir>/<name>. */
  trainingsDir: string;
  /** Install ai-toolkit here at this commit, into its own venv, when missing (pods); null: use the checkout as it is (local). */
  install: ToolkitInstall | null;
}

export interface TrainingTarget {
  id: string;
  label: string;
  host: Host;
  workspace: TrainingWorkspace;
  /** Give the host back (close an SSH link the provider opened for us). */
  release(): Promise<void>;
}

export interface TargetInfo {
  id: string;
  label: string;
  ready: boolean;
  /** Why it cannot be used yet (shown in the wizard). */
  reason: string | null;
  /** Where datasets and runs go on it (for planning without connecting). */
  layout: { datasetsDir: string; trainingsDir: string };
}

export interface TrainingTargets {
  list(): Promise<TargetInfo[]>;
  /** Open a target (connect, for a pod). Throws with a message for the user when it cannot. */
  open(id: string): Promise<TrainingTarget>;
}

/** "local": ai-toolkit checkout + Python from Settings, on this machine, under <dataDir>/training-host. */
export function localTargets(settings: () => Settings, dataDir: string): TrainingTargets {
  const root = path.join(dataDir, 'training-host');
  const layout = { datasetsDir: path.join(root, 'datasets'), trainingsDir: path.join(root, 'trainings') };
  const info = (): TargetInfo => {
    const s = settings();
    if (!s.trainingToolkitDir || !s.trainingPython) {
      return { id: 'local', label: 'This computer', ready: false, reason: 'To train on this computer, set trainingToolkitDir (an ai-toolkit checkout) and trainingPython in Settings (flux-studio settings set …).', layout };
    }
    if (!fs.existsSync(path.join(s.trainingToolkitDir, 'run.py'))) {
      return { id: 'local', label: 'This computer', ready: false, reason: `${s.trainingToolkitDir} has no run.py: point the trainingToolkitDir setting at an ai-toolkit checkout.`, layout };
    }
    return { id: 'local', label: 'This computer', ready: true, reason: null, layout };
  };
  return {
    async list() {
      return [info()];
    },
    async open(id) {
      if (id !== 'local') throw new Error(`No training target ${id} (pods appear here once connected).`);
      const i = info();
      if (!i.ready) throw new Error(i.reason ?? 'not ready');
      const s = settings();
      return {
        id: 'local',
        label: i.label,
        host: new LocalHost(),
        workspace: {
          toolkitDir: s.trainingToolkitDir as string,
          python: s.trainingPython as string,
          ...layout,
          install: null,
        },
        release: async () => undefined,
      };
    },
  };
}

/** Several providers as one (local + pods): ids are unique across them. */
export function combineTargets(...providers: TrainingTargets[]): TrainingTargets {
  return {
    async list() {
      return (await Promise.all(providers.map((p) => p.list()))).flat();
    },
    async open(id) {
      for (const p of providers) if ((await p.list()).some((t) => t.id === id)) return p.open(id);
      throw new Error(`No training target ${id}.`);
    },
  };
}

// ---------- datasets ----------

export interface DatasetInfo {
  name: string;
  dir: string;
  imageCount: number;
  trigger?: string;
}

export interface DatasetSource {
  list(): Promise<DatasetInfo[]>;
}

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp']);

function countImages(dir: string): number {
  let n = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === '_latent_cache') continue;
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (IMAGE_EXT.has(path.extname(e.name).toLowerCase())) n++;
    }
  };
  try {
    walk(dir);
  } catch {
    return 0;
  }
  return n;
}

/** Default: every folder in <dataDir>/datasets (ai-toolkit format). The lead wires DatasetService in its place. */
export function folderDatasets(dataDir: string): DatasetSource {
  return {
    async list() {
      const root = path.join(dataDir, 'datasets');
      let names: string[] = [];
      try {
        names = fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
      } catch {
        return [];
      }
      return names.sort().map((name) => {
        const dir = path.join(root, name);
        let trigger: string | undefined;
        try {
          const meta = JSON.parse(fs.readFileSync(path.join(dir, 'dataset.json'), 'utf8')) as { trigger?: unknown };
          if (typeof meta.trigger === 'string' && meta.trigger.trim()) trigger = meta.trigger.trim();
        } catch {
          // no metadata: no trigger suggestion
        }
        return { name, dir, imageCount: countImages(dir), ...(trigger ? { trigger } : {}) };
      });
    },
  };
}

/**
 * The datasets a training can use: those the Datasets page manages (copied or used in
 * place, with their trigger word), plus plain folders dropped into <dataDir>/datasets/ by
 * hand that the page has not registered (ai-toolkit folders work as they are).
 */
export function managedDatasets(
  managed: { list(): readonly { name: string; dir: string; trigger: string; present: boolean; counts: { images: number } }[] },
  dataDir: string,
): DatasetSource {
  const folders = folderDatasets(dataDir);
  return {
    async list() {
      const known = managed
        .list()
        .filter((d) => d.present)
        .map((d): DatasetInfo => ({ name: d.name, dir: d.dir, imageCount: d.counts.images, ...(d.trigger.trim() ? { trigger: d.trigger.trim() } : {}) }));
      const names = new Set(known.map((d) => d.name));
      const dirs = new Set(known.map((d) => path.resolve(d.dir)));
      const extra = (await folders.list()).filter((d) => !names.has(d.name) && !dirs.has(path.resolve(d.dir)));
      return [...known, ...extra].sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}
