// Settings → Local training's "Check" (training.checkToolkit): is this folder an ai-toolkit
// checkout, and can this Python run it? It runs that Python once (argv only, never a shell;
// docs/architecture.md, "Training") to report its version, torch's and whether CUDA is there,
// and names what is missing with the way out.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ToolkitCheck } from '@shared/contract/training';

/** What ai-toolkit's run.py imports first; a Python without them fails at the first step. */
const REQUIRED_MODULES = ['torch', 'diffusers', 'transformers', 'safetensors', 'yaml', 'accelerate'] as const;
/** ai-toolkit's README asks for Python 3.10 or newer. */
const MIN_PYTHON: readonly [number, number] = [3, 10];

/** Prints one JSON line: the Python's version, missing modules, torch's version and CUDA. */
const PROBE = `
import importlib.util, json, platform, sys
out = {"magic": "flux-studio-toolkit-check", "python": platform.python_version(), "missing": [], "torch": None, "cuda": None, "torchError": None}
for name in sys.argv[1:]:
    try:
        found = importlib.util.find_spec(name) is not None
    except Exception:
        found = False
    if not found:
        out["missing"].append(name)
if "torch" not in out["missing"]:
    try:
        import torch
        out["torch"] = str(torch.__version__)
        out["cuda"] = bool(torch.cuda.is_available())
    except Exception as e:
        out["torchError"] = (type(e).__name__ + ": " + str(e)).splitlines()[0][:300]
print(json.dumps(out))
`;

interface Probe {
  magic: string;
  python: string;
  missing: string[];
  torch: string | null;
  cuda: boolean | null;
  torchError: string | null;
}

export interface ToolkitCheckOptions {
  /** How long the Python may take (importing torch cold can take a while). */
  timeoutMs?: number;
}

/** ai-toolkit's VERSION from version.py (read as text: the checkout's code is not run here). */
function toolkitVersion(dir: string): string | null {
  try {
    const text = fs.readFileSync(path.join(dir, 'version.py'), 'utf8');
    return /^\s*VERSION\s*=\s*["']([^"'\n]{1,40})["']/m.exec(text)?.[1] ?? null;
  } catch {
    return null;
  }
}

function folderProblem(dir: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    return `${dir} does not exist: choose the folder of an ai-toolkit checkout (git clone https://github.com/ostris/ai-toolkit).`;
  }
  if (!st.isDirectory()) return `${dir} is a file, not a folder: choose the ai-toolkit folder (the one with run.py).`;
  if (!fs.existsSync(path.join(dir, 'run.py'))) return `${dir} has no run.py, so it is not an ai-toolkit checkout: choose the folder that has run.py.`;
  return null;
}

function pythonFileProblem(python: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(python);
  } catch {
    return `${python} does not exist: choose the python of ai-toolkit's venv (for example <ai-toolkit>/venv/bin/python).`;
  }
  if (st.isDirectory()) return `${python} is a folder: choose the python file inside it (for example ${path.join(python, 'bin', 'python')}).`;
  try {
    fs.accessSync(python, fs.constants.X_OK);
  } catch {
    return `${python} is not executable: choose a Python interpreter (for example <ai-toolkit>/venv/bin/python).`;
  }
  return null;
}

function runProbe(python: string, cwd: string | undefined, timeoutMs: number): Promise<{ probe: Probe | null; failure: string | null }> {
  return new Promise((resolve) => {
    execFile(
      python,
      ['-c', PROBE, ...REQUIRED_MODULES],
      { cwd, timeout: timeoutMs, maxBuffer: 1024 * 1024, encoding: 'utf8', windowsHide: true, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
      (err, stdout, stderr) => {
        const last = stdout.trim().split('\n').pop() ?? '';
        try {
          const parsed = JSON.parse(last) as Probe;
          if (parsed && parsed.magic === 'flux-studio-toolkit-check') return resolve({ probe: parsed, failure: null });
        } catch {
          // not our JSON: explained below
        }
        if (err && 'killed' in err && err.killed) return resolve({ probe: null, failure: `${python} did not answer within ${Math.round(timeoutMs / 1000)} s: check that it is a working Python.` });
        const said = (stderr.trim() || stdout.trim()).split('\n').pop()?.slice(0, 200);
        resolve({ probe: null, failure: `${python} did not answer like a Python 3 interpreter${said ? ` (it said: ${said})` : ''}: choose the python of ai-toolkit's venv.` });
      },
    );
  });
}

function newer(version: string, min: readonly [number, number]): boolean {
  const [major = 0, minor = 0] = version.split('.').map((n) => Number.parseInt(n, 10));
  return major > min[0] || (major === min[0] && minor >= min[1]);
}

/** Checks the folder and the Python; never throws for a wrong path (the answer says what is wrong). */
export async function checkToolkit(req: { toolkitDir: string; python: string }, opts: ToolkitCheckOptions = {}): Promise<ToolkitCheck> {
  const problems: ToolkitCheck['problems'] = [];
  const dirProblem = folderProblem(req.toolkitDir);
  if (dirProblem) problems.push({ field: 'toolkitDir', message: dirProblem });
  const result: ToolkitCheck = {
    ok: false,
    toolkitDir: req.toolkitDir,
    python: req.python,
    version: dirProblem ? null : toolkitVersion(req.toolkitDir),
    pythonVersion: null,
    torch: null,
    cuda: null,
    problems,
  };
  const fileProblem = pythonFileProblem(req.python);
  if (fileProblem) {
    problems.push({ field: 'python', message: fileProblem });
    return result;
  }
  const { probe, failure } = await runProbe(req.python, dirProblem ? undefined : req.toolkitDir, opts.timeoutMs ?? 120_000);
  if (!probe) {
    problems.push({ field: 'python', message: failure ?? `${req.python} did not answer.` });
    return result;
  }
  result.pythonVersion = probe.python;
  result.torch = probe.torch;
  result.cuda = probe.cuda;
  const install = dirProblem ? "ai-toolkit's requirements" : `ai-toolkit's requirements (${req.python} -m pip install -r ${path.join(req.toolkitDir, 'requirements.txt')})`;
  if (!newer(probe.python, MIN_PYTHON)) {
    problems.push({ field: 'python', message: `${req.python} is Python ${probe.python}; ai-toolkit needs ${MIN_PYTHON.join('.')} or newer: choose a newer Python's venv.` });
  } else if (probe.missing.length > 0) {
    problems.push({ field: 'python', message: `${req.python} cannot import ${probe.missing.join(', ')}: install ${install} into it, or choose the python of ai-toolkit's venv.` });
  } else if (probe.torchError) {
    problems.push({ field: 'python', message: `${req.python} has torch, but importing it fails (${probe.torchError}): reinstall torch in that venv.` });
  }
  result.ok = problems.length === 0;
  return result;
}
