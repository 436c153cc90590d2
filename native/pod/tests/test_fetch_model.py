"""fetch_model.py with the real huggingface_hub against a local server speaking the Hub's
wire format (HF_ENDPOINT): repo tree listing, HEAD/GET resolve with X-Repo-Commit/ETag,
X-Error-Code on errors. Checks: only the diffusers files are fetched (not the single-file
checkpoint), the stored token is what is sent, byte progress lines, the marker, and the
gated / not-found answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("huggingface_hub", reason="the pod venv (scripts/pod-venv.sh) has huggingface_hub")

from fake_hub import FILES, REPO, TOKEN, FakeHub, hub  # noqa: F401 - hub is a fixture

FETCH = Path(__file__).resolve().parents[1] / "fetch_model.py"


def fetch(hub: str, hf_home: Path, marker: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.update({"HF_HOME": str(hf_home), "HF_ENDPOINT": hub, "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_XET": "1"})
    return subprocess.run([sys.executable, str(FETCH), REPO, str(marker)], capture_output=True, text=True, env=env, timeout=180)


def test_downloads_the_diffusers_files_with_the_stored_token_and_reports_bytes(hub, tmp_path):
    home = tmp_path / "cache"
    home.mkdir()
    (home / "token").write_text(TOKEN)
    marker = home / "flux-studio-models" / "flux-dev.complete"
    r = fetch(hub, home, marker)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = [l for l in r.stdout.splitlines() if l.startswith("::")]
    total = sum(len(d) for p, d in FILES.items() if p not in ("flux1-dev.safetensors", "README.md"))
    assert lines[-2] == f"::progress {total} {total} downloading {REPO}"
    snapshot = Path(marker.read_text())
    assert lines[-1] == f"::step model downloaded to {snapshot}"
    got = {str(p.relative_to(snapshot)) for p in snapshot.rglob("*") if p.is_file()}
    assert got == {"model_index.json", "scheduler/scheduler_config.json", "transformer/config.json", "transformer/diffusion_pytorch_model.safetensors", "vae/config.json"}
    assert (snapshot / "transformer/diffusion_pytorch_model.safetensors").read_bytes() == FILES["transformer/diffusion_pytorch_model.safetensors"]
    assert not any("flux1-dev.safetensors" in p for _, p, _ in FakeHub.requests if "/resolve/" in p)
    assert {auth for _, _, auth in FakeHub.requests} == {f"Bearer {TOKEN}"}
    assert TOKEN not in r.stdout + r.stderr


@pytest.mark.parametrize("mode, code, status", [("gated", "gated", 9), ("missing", "model_missing", 10)])
def test_gated_and_missing_repos_are_coded_errors(hub, tmp_path, mode, code, status):
    FakeHub.mode = mode
    marker = tmp_path / "m.complete"
    r = fetch(hub, tmp_path / "cache", marker)
    assert r.returncode == status, r.stdout + r.stderr
    last = [l for l in r.stdout.splitlines() if l.startswith("::")][-1]
    assert last.startswith(f"::error {code} ") and REPO in last
    assert not marker.exists()


def test_a_failing_hub_is_a_download_error(hub, tmp_path):
    FakeHub.mode = "down"
    r = fetch(hub, tmp_path / "cache", tmp_path / "m.complete")
    assert r.returncode == 8, r.stdout + r.stderr
    assert r.stdout.splitlines()[-1].startswith("::error download ")
