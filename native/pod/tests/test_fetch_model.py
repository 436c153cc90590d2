"""fetch_model.py with the real huggingface_hub against a local server speaking the Hub's
wire format (HF_ENDPOINT): repo tree listing, HEAD/GET resolve with X-Repo-Commit/ETag,
X-Error-Code on errors. Checks: only the diffusers files are fetched (not the single-file
checkpoint), the stored token is what is sent, byte progress lines, the marker, and the
gated / not-found answers.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

pytest.importorskip("huggingface_hub", reason="the pod venv (scripts/pod-venv.sh) has huggingface_hub")

FETCH = Path(__file__).resolve().parents[1] / "fetch_model.py"
REPO = "black-forest-labs/FLUX.1-dev"
SHA = "0123456789abcdef0123456789abcdef01234567"
TOKEN = "hf_fetchTestToken42"

FILES = {
    "model_index.json": b'{"_class_name": "FluxPipeline"}',
    "scheduler/scheduler_config.json": b"{}",
    "transformer/config.json": b"{}",
    "transformer/diffusion_pytorch_model.safetensors": os.urandom(3 * 1024 * 1024),
    "vae/config.json": b"{}",
    "flux1-dev.safetensors": os.urandom(1024 * 1024),  # the single-file checkpoint: never fetched
    "README.md": b"# FLUX.1 [dev]",
}


class FakeHub(BaseHTTPRequestHandler):
    mode = "ok"
    requests: list[tuple[str, str, str | None]] = []

    def log_message(self, *args):  # quiet
        pass

    def _error(self, status: int, code: str, message: str) -> None:
        body = json.dumps({"error": message}).encode()
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, obj) -> None:
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = unquote(urlparse(self.path).path)
        FakeHub.requests.append((self.command, path, self.headers.get("Authorization")))
        if FakeHub.mode == "gated":
            return self._error(403, "GatedRepo", f"Access to model {REPO} is restricted. You must have access to it and be authenticated to access it.")
        if FakeHub.mode == "missing":
            return self._error(404, "RepoNotFound", "Repository not found")
        if path.startswith(f"/api/models/{REPO}/tree/"):
            return self._json([
                {"type": "file", "path": p, "size": len(d), "oid": hashlib.sha1(d).hexdigest(),
                 **({"lfs": {"oid": hashlib.sha256(d).hexdigest(), "size": len(d), "pointerSize": 130}} if len(d) > 100_000 else {})}
                for p, d in FILES.items()
            ])
        if path.startswith(f"/api/models/{REPO}"):
            return self._json({"id": REPO, "sha": SHA, "siblings": [{"rfilename": p} for p in FILES]})
        prefix = f"/{REPO}/resolve/"
        if path.startswith(prefix):
            _rev, _, name = path[len(prefix):].partition("/")
            if name not in FILES:
                return self._error(404, "EntryNotFound", f"{name} not found")
            data = FILES[name]
            self.send_response(200)
            self.send_header("X-Repo-Commit", SHA)
            etag = hashlib.sha256(data).hexdigest() if len(data) > 100_000 else hashlib.sha1(data).hexdigest()
            self.send_header("ETag", f'"{etag}"')
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(data)
            return
        self._error(404, "RepoNotFound", f"unknown path {path}")


@pytest.fixture
def hub():
    FakeHub.mode = "ok"
    FakeHub.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


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


def test_an_unreachable_hub_is_a_download_error(tmp_path):
    r = fetch("http://127.0.0.1:9", tmp_path / "cache", tmp_path / "m.complete")
    assert r.returncode == 8, r.stdout + r.stderr
    assert r.stdout.splitlines()[-1].startswith("::error download ")
