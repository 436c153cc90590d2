"""bootstrap.sh for real: bash, a real venv, real pip, on a temp workspace, no network.

The "pinned requirements" here are one tiny local wheel built in the test (pip installs it
with --no-index --find-links). The model step runs a stub fetch_model.py
beside a copy of bootstrap.sh (the real fetch_model.py is tested against a local Hub
server in test_fetch_model.py). What this does not test: a real Hub download over the
internet, real pip wheels for torch, nvidia-smi on a real GPU (a fake nvidia-smi on PATH
prints its CSV), df on a nearly full disk (--min-free-gb stands in).
"""

from __future__ import annotations

import base64
import hashlib
import json
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

# Stands in for fetch_model.py (tested on its own against a local Hub in test_fetch_model.py):
# records how bootstrap.sh calls it, answers like the real one.
STUB_FETCH = r"""
import json, os, sys
repo, marker = sys.argv[1], sys.argv[2]
home = os.environ["HF_HOME"]
with open(os.path.join(home, "fetch-calls.log"), "a") as f:
    f.write(json.dumps({"repo": repo, "marker": marker, "hf_token_env": "HF_TOKEN" in os.environ, "token_file": os.path.exists(os.path.join(home, "token"))}) + "\n")
mode = os.environ.get("FAKE_HF_MODE", "")
if mode == "gated":
    print(f"::error gated {repo} is gated"); sys.exit(9)
if mode == "missing":
    print(f"::error model_missing {repo} was not found"); sys.exit(10)
snap = os.path.join(home, "hub", "models--" + repo.replace("/", "--"), "snapshots", "0123abcd")
os.makedirs(snap, exist_ok=True)
open(os.path.join(snap, "model_index.json"), "w").write("{}")
print(f"::progress 5 10 downloading {repo}")
print(f"::progress 10 10 downloading {repo}")
os.makedirs(os.path.dirname(marker), exist_ok=True)
open(marker, "w").write(snap)
print(f"::step model downloaded to {snap}")
"""


@pytest.fixture(scope="module")
def pod_dir(tmp_path_factory) -> Path:
    """bootstrap.sh as uploaded, with the stub fetch_model.py beside it."""
    folder = tmp_path_factory.mktemp("pod")
    shutil.copy(POD / "bootstrap.sh", folder / "bootstrap.sh")
    (folder / "fetch_model.py").write_text(STUB_FETCH)
    return folder


def build_wheel(folder: Path) -> Path:
    """A pure-Python wheel written by hand (no setuptools, no network)."""
    name, version = "fluxstudio_tinydep", "1.0"
    dist = f"{name}-{version}.dist-info"
    files = {"fluxstudio_tinydep/__init__.py": b"VERSION = '1.0'\n"}
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


def run(args: list[str], stdin: str, wheels: Path, fake_bin: Path | None = None, env: dict | None = None, timeout: float = 300, pod: Path | None = None):
    path = os.environ["PATH"]
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "HF_", "VIRTUAL_ENV"))},
        "PATH": f"{fake_bin}:{path}" if fake_bin else path,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        **(env or {}),
    }
    script = (pod / "bootstrap.sh") if pod else BOOTSTRAP
    r = subprocess.run(["bash", str(script), *args], input=stdin.encode(), capture_output=True, env=full_env, timeout=timeout)
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


def test_model_download_reports_progress_and_is_skipped_once_complete(prepared, wheels, fake_bin, pod_dir):
    ws, req = prepared["ws"], prepared["req"]
    env = {"HF_TOKEN": "hf_fromThePodEnvironment"}  # must not shadow the studio's stored token
    rc, out, err = run(base_args(ws, req, "flux-schnell"), TOKEN + "\n", wheels, fake_bin, env=env, pod=pod_dir)
    assert rc == 0, out + err
    lines = steps(out)
    assert f"::step model downloading black-forest-labs/FLUX.1-schnell into {ws}/.cache" in lines
    assert [l for l in lines if l.startswith("::progress ")][-1] == "::progress 10 10 downloading black-forest-labs/FLUX.1-schnell"
    assert lines[-1] == "::done"
    marker = ws / ".cache" / "flux-studio-models" / "flux-schnell.complete"
    calls = [json.loads(l) for l in (ws / ".cache" / "fetch-calls.log").read_text().splitlines()]
    assert calls == [{"repo": "black-forest-labs/FLUX.1-schnell", "marker": str(marker), "hf_token_env": False, "token_file": True}]
    rc, out2, _ = run(base_args(ws, req, "flux-schnell"), "", wheels, fake_bin, pod=pod_dir)
    assert rc == 0 and "::step model black-forest-labs/FLUX.1-schnell already downloaded" in steps(out2)
    assert len((ws / ".cache" / "fetch-calls.log").read_text().splitlines()) == 1


@pytest.mark.parametrize("mode, code, status", [("gated", "gated", 9), ("missing", "model_missing", 10)])
def test_download_errors_have_codes(prepared, wheels, fake_bin, pod_dir, mode, code, status):
    ws = prepared["ws"]
    rc, out, _ = run(base_args(ws, prepared["req"], "flux-dev"), "", wheels, fake_bin, env={"FAKE_HF_MODE": mode}, pod=pod_dir)
    assert rc == status
    assert steps(out)[-1].startswith(f"::error {code} ")
    assert "black-forest-labs/FLUX.1-dev" in steps(out)[-1]
    assert not (ws / ".cache" / "flux-studio-models" / "flux-dev.complete").exists()


def test_checks_fail_with_codes_and_exit_status(prepared, wheels, fake_bin):
    ws, req = prepared["ws"], prepared["req"]
    rc, out, _ = run(["--model", "none"], "", wheels, fake_bin)
    assert rc == 2 and steps(out) == ["::error usage --workspace DIR is required"]
    rc, out, _ = run(["--model", "none", "--workspace"], "", wheels, fake_bin, timeout=30)
    assert rc == 2 and steps(out) == ["::error usage --workspace needs a value"]
    rc, out, _ = run([*base_args(ws, req), "--pip-arg"], "", wheels, fake_bin, timeout=30)
    assert rc == 2 and steps(out) == ["::error usage --pip-arg needs a value"]
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
