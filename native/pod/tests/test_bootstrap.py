"""bootstrap.sh for real: bash, a real venv, real pip, on a temp workspace, no network.

The "pinned requirements" here are one tiny local wheel built in the test (pip installs it
with --no-index --find-links). The wheel also carries a stand-in `huggingface_hub` module
(snapshot_download writes a model_index.json and drives the progress class it is given;
FAKE_HF_MODE=gated|missing raises the real library's error names), so the script's model
step, its progress lines and its error mapping run without the Hub. What this does not
test: a real Hub download (network, gated repo, the real snapshot layout), real pip wheels
for torch, and nvidia-smi on a real GPU (a fake nvidia-smi on PATH prints its CSV).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

POD = Path(__file__).resolve().parents[1]
BOOTSTRAP = POD / "bootstrap.sh"
TOKEN = "hf_sEcReTtOkEn0123456789abcdef"
PYTHON = shutil.which("python3")

FAKE_HUB = {
    "huggingface_hub/__init__.py": '''
import os, time
from . import errors
from .utils import tqdm

def snapshot_download(repo_id, allow_patterns=None, tqdm_class=None, **kwargs):
    mode = os.environ.get("FAKE_HF_MODE", "")
    if mode == "gated":
        raise errors.GatedRepoError("401 gated")
    if mode == "missing":
        raise errors.RepositoryNotFoundError("404")
    home = os.environ["HF_HOME"]
    token = open(os.path.join(home, "token")).read() if os.path.exists(os.path.join(home, "token")) else ""
    snap = os.path.join(home, "hub", "models--" + repo_id.replace("/", "--"), "snapshots", "0123abcd")
    os.makedirs(snap, exist_ok=True)
    files = ["model_index.json", "transformer/config.json", "vae/config.json"]
    bar = (tqdm_class or tqdm)(total=len(files), desc="Fetching files")
    for name in files:
        path = os.path.join(snap, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("{}")
        time.sleep(0.01)
        bar.update(1)
    bar.close()
    with open(os.path.join(home, "fake-hub-calls.log"), "a") as f:
        f.write(repo_id + " patterns=" + ",".join(allow_patterns or []) + " token_seen=" + str(len(token) > 0) + "\\n")
    return snap
''',
    "huggingface_hub/errors.py": '''
class HfHubHTTPError(OSError):
    response = None
class RepositoryNotFoundError(HfHubHTTPError):
    pass
class GatedRepoError(RepositoryNotFoundError):
    pass
''',
    "huggingface_hub/utils.py": '''
class tqdm:
    def __init__(self, *args, total=None, desc=None, disable=False, file=None, **kwargs):
        self.total, self.desc, self.disable, self.n = total, desc, disable, 0
    def update(self, n=1):
        self.n += n
    def close(self):
        pass
''',
    "fluxstudio_tinydep/__init__.py": "VERSION = '1.0'\n",
}


def build_wheel(folder: Path) -> Path:
    """A pure-Python wheel written by hand (no setuptools, no network)."""
    name, version = "fluxstudio_tinydep", "1.0"
    dist = f"{name}-{version}.dist-info"
    files = {k: v.encode() for k, v in FAKE_HUB.items()}
    files[f"{dist}/METADATA"] = f"Metadata-Version: 2.1\nName: fluxstudio-tinydep\nVersion: {version}\n".encode()
    files[f"{dist}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: flux-studio-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = ("\n".join(record) + "\n").encode()
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        for path, data in files.items():
            z.writestr(path, data)
    return wheel


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheels")
    build_wheel(folder)
    return folder


@pytest.fixture
def fake_bin(tmp_path) -> Path:
    """A PATH folder with a fake nvidia-smi (prints what a 1-GPU pod prints)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    smi = folder / "nvidia-smi"
    smi.write_text('#!/bin/sh\n[ -n "$FAKE_SMI_FAIL" ] && exit 9\necho "NVIDIA H100 80GB HBM3, 81559, 1024"\n')
    smi.chmod(0o755)
    return folder


def requirements(tmp_path: Path, extra: str = "") -> Path:
    req = tmp_path / "requirements.txt"
    req.write_text("# pinned for the test\nfluxstudio-tinydep==1.0\n" + extra)
    return req


def run(args: list[str], stdin: str, wheels: Path, fake_bin: Path | None = None, env: dict | None = None, timeout: float = 300):
    path = os.environ["PATH"]
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "HF_", "VIRTUAL_ENV"))},
        "PATH": f"{fake_bin}:{path}" if fake_bin else path,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        **(env or {}),
    }
    r = subprocess.run(["bash", str(BOOTSTRAP), *args], input=stdin.encode(), capture_output=True, env=full_env, timeout=timeout)
    out = r.stdout.decode("utf-8", "replace")
    err = r.stderr.decode("utf-8", "replace")
    assert TOKEN not in out and TOKEN not in err, "the token leaked into the output"
    return r.returncode, out, err


def steps(out: str) -> list[str]:
    return [l for l in out.splitlines() if l.startswith("::")]


def base_args(ws: Path, req: Path, model: str = "none") -> list[str]:
    return ["--workspace", str(ws), "--model", model, "--python", PYTHON, "--requirements", str(req), "--min-free-gb", "0"]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, wheels):
    """One workspace bootstrapped once (venv + pins); later tests re-run on it."""
    root = tmp_path_factory.mktemp("prepared")
    ws = root / "workspace"
    req = requirements(root)
    smi = root / "bin"
    smi.mkdir()
    (smi / "nvidia-smi").write_text('#!/bin/sh\n[ -n "$FAKE_SMI_FAIL" ] && exit 9\necho "NVIDIA H100 80GB HBM3, 81559, 1024"\n')
    (smi / "nvidia-smi").chmod(0o755)
    rc, out, err = run(base_args(ws, req), TOKEN + "\n", wheels, smi)
    return {"ws": ws, "req": req, "bin": smi, "rc": rc, "out": out, "err": err}


def test_first_run_installs_and_the_second_is_a_no_op(prepared, wheels):
    ws, req, fake_bin = prepared["ws"], prepared["req"], prepared["bin"]
    rc, out, err = prepared["rc"], prepared["out"], prepared["err"]
    assert rc == 0, out + err
    lines = steps(out)
    assert "::step gpu NVIDIA H100 80GB HBM3, 1024 / 81559 MiB used" in lines
    assert f"::step venv creating {ws}/.venv" in lines
    assert "::step deps installed" in lines
    assert "::step model skipped (--model none)" in lines
    assert lines[-1] == "::done"
    venv_py = ws / ".venv" / "bin" / "python"
    assert subprocess.run([str(venv_py), "-c", "import fluxstudio_tinydep"]).returncode == 0
    token = ws / ".cache" / "token"
    assert token.read_text() == TOKEN
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    env_sh = ws / "flux-studio" / "env.sh"
    probe = subprocess.run(["bash", "-c", f'. "{env_sh}" && printf %s "$HF_HOME"'], capture_output=True, text=True)
    assert probe.stdout == str(ws / ".cache")

    marker = ws / ".venv" / ".flux-studio-requirements.sha256"
    installed = next((ws / ".venv").glob("lib/python*/site-packages/fluxstudio_tinydep/__init__.py"))
    before = (marker.stat().st_mtime_ns, installed.stat().st_mtime_ns, installed.stat().st_ino)

    rc, out2, err2 = run(base_args(ws, req), "\n", wheels, fake_bin)  # empty token line: keep the stored one
    assert rc == 0, out2 + err2
    lines2 = steps(out2)
    assert "::step deps up to date" in lines2 and "::step deps installed" not in lines2
    assert f"::step venv {ws}/.venv exists" in lines2
    assert "::step token none given; keeping the one stored before" in lines2
    assert "Collecting" not in out2  # pip did not run
    assert (marker.stat().st_mtime_ns, installed.stat().st_mtime_ns, installed.stat().st_ino) == before
    assert token.read_text() == TOKEN and stat.S_IMODE(token.stat().st_mode) == 0o600


def test_model_download_reports_progress_and_is_skipped_once_complete(prepared, wheels, fake_bin):
    ws, req = prepared["ws"], prepared["req"]
    rc, out, err = run(base_args(ws, req, "flux-schnell"), TOKEN + "\n", wheels, fake_bin)
    assert rc == 0, out + err
    lines = steps(out)
    assert f"::step model downloading black-forest-labs/FLUX.1-schnell into {ws}/.cache" in lines
    progress = [l for l in lines if l.startswith("::progress ")]
    assert progress and progress[-1] == "::progress 3 3 Fetching files"
    assert lines[-1] == "::done"
    calls = (ws / ".cache" / "fake-hub-calls.log").read_text().splitlines()
    assert calls == ["black-forest-labs/FLUX.1-schnell patterns=model_index.json,scheduler/*,text_encoder/*,text_encoder_2/*,tokenizer/*,tokenizer_2/*,transformer/*,vae/* token_seen=True"]
    rc, out2, _ = run(base_args(ws, req, "flux-schnell"), "", wheels, fake_bin)
    assert rc == 0 and "::step model black-forest-labs/FLUX.1-schnell already downloaded" in steps(out2)
    assert len((ws / ".cache" / "fake-hub-calls.log").read_text().splitlines()) == 1


@pytest.mark.parametrize("mode, code, status", [("gated", "gated", 9), ("missing", "model_missing", 10)])
def test_download_errors_have_codes(prepared, wheels, fake_bin, mode, code, status):
    ws = prepared["ws"]
    rc, out, _ = run(base_args(ws, prepared["req"], "flux-dev"), "", wheels, fake_bin, env={"FAKE_HF_MODE": mode})
    assert rc == status
    assert steps(out)[-1].startswith(f"::error {code} ")
    assert "black-forest-labs/FLUX.1-dev" in steps(out)[-1]
    assert not (ws / ".cache" / "flux-studio-models" / "flux-dev.complete").exists()


def test_checks_fail_with_codes_and_exit_status(prepared, wheels, fake_bin):
    ws, req = prepared["ws"], prepared["req"]
    rc, out, _ = run(["--model", "none"], "", wheels, fake_bin)
    assert rc == 2 and steps(out) == ["::error usage --workspace DIR is required"]
    rc, out, _ = run(base_args(ws, req, "sdxl"), "", wheels, fake_bin)
    assert rc == 2 and "--model must be" in out
    rc, out, _ = run(base_args(ws, req), "", wheels, fake_bin, env={"FAKE_SMI_FAIL": "1"})
    assert rc == 3 and steps(out)[-1].startswith("::error no_gpu ")
    rc, out, _ = run([*base_args(ws, req), "--skip-gpu-check"], "", wheels, fake_bin, env={"FAKE_SMI_FAIL": "1"})
    assert rc == 0 and any(l.startswith("::warn no NVIDIA GPU") for l in steps(out))
    rc, out, _ = run([*base_args(ws, req)[:-2], "--min-free-gb", "999999"], "", wheels, fake_bin)
    assert rc == 5 and steps(out)[-1].startswith("::error disk only ")
    rc, out, _ = run([*base_args(ws, req), "--python", "/nonexistent/python3"], "", wheels, fake_bin)
    assert rc == 4 and steps(out)[-1].startswith("::error python ")


def test_a_pip_failure_is_reported_and_leaves_no_marker(tmp_path, wheels, fake_bin):
    ws = tmp_path / "ws"
    req = requirements(tmp_path, "no-such-package-anywhere==9.9\n")
    rc, out, _ = run(base_args(ws, req), "", wheels, fake_bin)
    assert rc == 7 and steps(out)[-1].startswith("::error pip ")
    assert not (ws / ".venv" / ".flux-studio-requirements.sha256").exists()
    # Fixed pins: the existing venv gets them.
    requirements(tmp_path)
    rc, out, _ = run(base_args(ws, req), "", wheels, fake_bin)
    assert rc == 0 and f"::step venv {ws}/.venv exists" in steps(out) and "::step deps installed" in steps(out)


def test_a_token_with_odd_characters_is_refused_without_echoing_it(tmp_path, wheels, fake_bin):
    ws = tmp_path / "ws"
    bad = TOKEN + "$(touch pwned)"
    rc, out, err = run(base_args(ws, requirements(tmp_path)), bad + "\n", wheels, fake_bin)
    assert rc == 2 and steps(out)[-1].startswith("::error token ")
    assert bad not in out + err and "pwned" not in out + err
    assert not (ws / ".cache" / "token").exists()


def test_changed_pins_are_installed_again(prepared, wheels):
    ws = prepared["ws"]
    bumped = prepared["req"].parent / "requirements-bumped.txt"
    bumped.write_text(prepared["req"].read_text() + "# bumped\n")
    rc, out, _ = run(base_args(ws, bumped), "", wheels, prepared["bin"])
    assert rc == 0 and "::step deps installed" in steps(out)
    rc, out, _ = run(base_args(ws, bumped), "", wheels, prepared["bin"])
    assert rc == 0 and "::step deps up to date" in steps(out)
