"""Runs worker.py as the studio does: a subprocess speaking JSON lines over stdin/stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

POD = Path(__file__).resolve().parents[1]
REPO = POD.parents[1]
WORKER = POD / "worker.py"


def tiny_flux_dir() -> Path:
    """The tiny random-weight pipelines (built once, cached by the fixture script's hash)."""
    sys.path.insert(0, str(REPO / "native" / "fixtures"))
    try:
        import tiny_flux
    finally:
        sys.path.pop(0)
    return tiny_flux.ensure()


class WorkerProcess:
    def __init__(self, args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None):
        # One torch thread: on a shared CPU machine OpenMP threads spinning against other
        # processes make the tiny pipeline 10-30x slower (production runs on a GPU).
        full_env = {"OMP_NUM_THREADS": "1", **os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-u", str(WORKER), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=full_env,
            cwd=cwd or POD,
        )
        self._cond = threading.Condition()
        self.eof = False
        self.cursor = 0  # where next() starts looking: the history length at the last send()
        self.history: list[dict[str, Any]] = []
        self.non_json: list[bytes] = []
        self.stderr = bytearray()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout
        for raw in self.proc.stdout:
            try:
                event = json.loads(raw)
                assert isinstance(event, dict) and "event" in event
            except (ValueError, AssertionError):
                self.non_json.append(raw)
                continue
            with self._cond:
                self.history.append(event)
                self._cond.notify_all()
        with self._cond:
            self.eof = True
            self._cond.notify_all()

    def _read_stderr(self) -> None:
        assert self.proc.stderr
        for raw in self.proc.stderr:
            self.stderr += raw

    def send(self, obj: dict[str, Any] | str | bytes) -> None:
        assert self.proc.stdin
        with self._cond:
            self.cursor = len(self.history)
        if isinstance(obj, dict):
            data = (json.dumps(obj) + "\n").encode("utf-8")
        elif isinstance(obj, str):
            data = (obj + "\n").encode("utf-8")
        else:
            data = obj
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def wait(self, pred: Callable[[dict[str, Any]], bool], start: int = 0, timeout: float = 60.0) -> tuple[int, dict[str, Any]]:
        """The first event at or after index START matching PRED, waiting for it; (index, event)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            i = start
            while True:
                while i < len(self.history):
                    if pred(self.history[i]):
                        return i, self.history[i]
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or (self.eof and i >= len(self.history)):
                    why = "stdout closed" if self.eof else f"nothing in {timeout}s"
                    raise TimeoutError(f"no matching event ({why}); stderr tail:\n{self.stderr[-3000:].decode('utf-8', 'replace')}")
                self._cond.wait(left)

    def next(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 60.0) -> dict[str, Any]:
        """The first event matching PRED since the last send()."""
        return self.wait(pred, self.cursor, timeout)[1]

    def events_of(self, rid: str) -> list[dict[str, Any]]:
        with self._cond:
            return [e for e in self.history if e.get("id") == rid]

    def until_final(self, rid: str, timeout: float = 60.0) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Waits for RID's done/error; returns (it, all of RID's events). Request ids must be unique."""
        _, final = self.wait(lambda e: e.get("id") == rid and e["event"] in ("done", "error"), 0, timeout)
        return final, self.events_of(rid)

    _serial = 0

    def request_id(self, prefix: str) -> str:
        WorkerProcess._serial += 1
        return f"{prefix}-{WorkerProcess._serial}"

    def close(self, timeout: float = 60.0) -> int:
        assert self.proc.stdin
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def generate(rid: str, **changes: Any) -> dict[str, Any]:
    req = {
        "id": rid,
        "type": "generate",
        "prompt": "a lighthouse at dusk",
        "width": 256,
        "height": 256,
        "steps": 3,
        "guidance": 3.5,
        "seed": 42,
        "jpeg_quality": 92,
        "model": "flux-dev",
        "loras": [],
    }
    req.update(changes)
    return req


def jpeg_comment(path: Path) -> dict[str, Any]:
    """The worker's COM marker (JSON with the request's parameters)."""
    from PIL import Image

    with Image.open(path) as im:
        return json.loads(im.info["comment"].decode("utf-8"))
