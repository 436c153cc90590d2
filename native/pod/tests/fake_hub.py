"""A local server speaking the Hugging Face Hub's wire format, for the real huggingface_hub
client (HF_ENDPOINT=http://127.0.0.1:PORT): repo info, recursive tree listing, HEAD/GET
resolve with X-Repo-Commit/ETag/Content-Length, and X-Error-Code answers (GatedRepo,
RepoNotFound) the client maps to its GatedRepoError/RepositoryNotFoundError.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse

import pytest

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
        if FakeHub.mode == "down":
            # A failing Hub. Not 5xx: the client retries those with backoff for ~15 s.
            return self._error(400, "", "Bad Request")
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


