"""The warm generation worker: started once per connection in the pod's venv.

    <venv>/bin/python -u worker.py --outputs DIR [--model-path flux-dev=FOLDER|HUB_ID]
        [--model-path flux-schnell=...] [--cpu-offload|--no-cpu-offload]
        [--device auto|cuda|cpu] [--dtype bfloat16|float32] [--pipeline diffusers|standin]
        [--threads N] [--activity FILE]

Requests arrive as JSON lines on stdin, events leave as JSON lines on stdout (protocol.py).
Nothing a user typed is ever on the command line. Stdout carries only protocol lines:
file descriptor 1 is pointed at stderr at start, so library prints (Python or C) go to
stderr; the protocol writes to a private duplicate of the original stdout.

One request runs at a time; others queue. `cancel` stops a queued request at once and a
running one between steps. `ping` and `status` are answered at once. When stdin closes
the worker finishes what it was asked to do (a lost SSH link must not lose the image being
made) and exits 0. Every finished request is also appended to
`<outputs>/.flux-studio-journal.jsonl` (the done/error event, one JSON line), so a studio
that reconnects finds the image the worker finished while it was away.

`--activity FILE`: the on-pod idle watchdog's marker (watchdog.py): touched on every request
and every few seconds while one runs, so a pod in use is never stopped as idle.

`--pipeline standin` swaps only the image maker (standin.py) for a fast deterministic
one; queueing, cancel, LoRA checks, error mapping and JPEG writing are this same code.
"""

from __future__ import annotations

import argparse
import collections
import errno
import hashlib
import io
import json
import os
import signal
import sys
import threading
import time
import traceback
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from protocol import (  # noqa: E402
    MODELS,
    CancelRequest,
    Emitter,
    GenerateRequest,
    PingRequest,
    ProtocolError,
    StatusRequest,
    output_filename,
    read_requests,
)
JOURNAL_NAME = ".flux-studio-journal.jsonl"
LOCK_NAME = ".flux-studio-worker.lock"

from backend import (  # noqa: E402
    DEFAULT_MODEL_PATHS,
    Backend,
    Cancelled,
    WorkerError,
    check_lora_file,
    looks_like_oom,
    oom_message,
)

# ----------------------------------------------------------------------------------------
# Output files


def write_jpeg(image: Any, outputs: Path, req: GenerateRequest, now: datetime) -> tuple[Path, int, str]:
    """Writes the image atomically (temp file + hard link, never clobbering) into OUTPUTS.

    The name is generated (flux_YYYYMMDD_HHMMSS_<seed>.jpg), never taken from the request;
    when the name is taken (same seed within the same second) the time moves on a second.
    The JPEG carries a COM marker with the request's parameters (JSON), prompt included.
    """
    record = {
        "flux-studio-worker": 1,
        "model": req.model,
        "seed": req.seed,
        "steps": req.steps,
        "guidance": req.guidance,
        "width": req.width,
        "height": req.height,
        "loras": [{"path": l.path, "scale": l.scale} for l in req.loras],
        "prompt_sha256": hashlib.sha256(req.prompt.encode("utf-8")).hexdigest(),
        "prompt": req.prompt,
    }
    comment = json.dumps(record, ensure_ascii=False).encode("utf-8")
    if len(comment) > 65000:  # one COM segment holds 65533 bytes
        del record["prompt"]
        comment = json.dumps(record, ensure_ascii=False).encode("utf-8")
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="JPEG", quality=req.jpeg_quality, comment=comment)
    data = buf.getvalue()
    outputs.mkdir(parents=True, exist_ok=True)
    tmp = outputs / f".tmp-{os.getpid()}-{threading.get_ident()}.jpg"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    try:
        for i in range(3600):
            name = output_filename(now + timedelta(seconds=i), req.seed)
            final = outputs / name
            assert final.parent == outputs and "/" not in name and not name.startswith(".")
            try:
                os.link(tmp, final)
                break
            except FileExistsError:
                continue
            except OSError:
                # No hard links here (some network volumes): reserve the name with O_EXCL,
                # then rename the complete file over the empty reservation.
                try:
                    os.close(os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
                except FileExistsError:
                    continue
                os.replace(tmp, final)
                break
        else:
            raise WorkerError("internal", f"no free output name in {outputs}")
    finally:
        tmp.unlink(missing_ok=True)
    return final, len(data), hashlib.sha256(data).hexdigest()


# ----------------------------------------------------------------------------------------
# The worker: reader (main thread) + executor thread


class Worker:
    def __init__(self, backend: Backend, emitter: Emitter, outputs: Path, cpu_offload: bool, debug: bool = False, activity: Path | None = None):
        self.backend = backend
        self.activity = activity
        self._activity_at = 0.0
        self.emit = emitter
        self.outputs = outputs
        self.cpu_offload = cpu_offload
        self.debug = debug
        self._cond = threading.Condition()
        self._queue: collections.deque[GenerateRequest] = collections.deque()
        self._running: GenerateRequest | None = None
        self._cancel_running = False
        self._closing = False
        self._executor = threading.Thread(target=self._run, name="executor", daemon=True)
        self._lock_fd: int | None = None

    # -- reader side

    def serve(self, stdin: IO[bytes]) -> None:
        self._executor.start()
        try:
            for item in read_requests(stdin):
                self.handle(item)
        except OSError:
            pass  # a pty that went away reads as EIO: same as EOF
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._executor.join()

    def touch_activity(self, force: bool = False) -> None:
        """Tells the idle watchdog the pod is in use (at most every 5 s; never fails a request)."""
        if self.activity is None:
            return
        now = time.monotonic()
        if not force and now - self._activity_at < 5.0:
            return
        self._activity_at = now
        try:
            self.activity.parent.mkdir(parents=True, exist_ok=True)
            with open(self.activity, "a", encoding="utf-8"):
                pass
            os.utime(self.activity, None)
        except OSError as e:
            print(f"worker: could not touch the activity marker: {e}", file=sys.stderr)

    def handle(self, item: Any) -> None:
        self.touch_activity(force=True)
        if isinstance(item, ProtocolError):
            self.emit.error(item.request_id, item.code, item.message)
        elif isinstance(item, PingRequest):
            self.emit.emit("pong", item.id)
        elif isinstance(item, StatusRequest):
            self.emit.emit("status", item.id, **self.status())
        elif isinstance(item, CancelRequest):
            self.cancel(item.target)
        elif isinstance(item, GenerateRequest):
            with self._cond:
                busy = {r.id for r in self._queue} | ({self._running.id} if self._running else set())
                if item.id in busy:
                    self.emit.error(item.id, "bad_request", f"id: a request with id {item.id!r} is already queued or running")
                    return
                self._queue.append(item)
                self._cond.notify_all()

    def cancel(self, target: str) -> None:
        """Cancels a queued request at once, a running one at its next step; unknown ids are ignored."""
        with self._cond:
            if self._running is not None and self._running.id == target:
                self._cancel_running = True
                return
            for req in list(self._queue):
                if req.id == target:
                    self._queue.remove(req)
                    break
            else:
                return
        self._finish_error(target, "cancelled", "Cancelled before it started.")

    def status(self) -> dict[str, Any]:
        with self._cond:
            running = self._running.id if self._running else None
            queued = [r.id for r in self._queue]
        out: dict[str, Any] = {
            "pipeline": self.backend.name,
            "model": self.backend.loaded_model(),
            "running": running,
            "queued": queued,
            "cpu_offload": self.cpu_offload,
        }
        try:
            mem = self.backend.memory()
        except Exception:  # never let a status probe kill the reader
            mem = None
        if mem is not None:
            out["memory"] = mem
        return out

    # -- executor side

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closing:
                    self._cond.wait()
                if not self._queue:
                    return
                req = self._queue.popleft()
                self._running = req
                self._cancel_running = False
            try:
                self._generate(req)
            finally:
                with self._cond:
                    self._running = None
                    self._cancel_running = False

    def _check_cancel(self) -> None:
        with self._cond:
            if self._cancel_running:
                raise Cancelled()

    def _generate(self, req: GenerateRequest) -> None:
        t0 = time.monotonic()
        try:
            for lora in req.loras:
                check_lora_file(lora)
            self._check_cancel()
            self._hold_pod_lock()
            self.backend.ensure_model(req.model, lambda: self.emit.emit("loading", req.id, model=req.model))
            self._check_cancel()
            self.backend.ensure_loras(req.loras)
            self._check_cancel()
            load_seconds = time.monotonic() - t0
            if self.debug:
                self.emit.emit("debug", req.id, stage="request", prompt=req.prompt)
            t1 = time.monotonic()

            def on_step(step: int, total: int) -> None:
                self.emit.progress(req.id, step, total, time.monotonic() - t1)
                self.touch_activity()
                self._check_cancel()

            image = self.backend.generate(req, on_step)
            self._check_cancel()
            gen_seconds = time.monotonic() - t1
            path, size, digest = write_jpeg(image, self.outputs, req, datetime.now())
        except Cancelled:
            self._finish_error(req.id, "cancelled", "Cancelled.")
            return
        except WorkerError as e:
            self.backend.after_error()
            self._finish_error(req.id, e.code, e.message)
            return
        except BaseException as e:  # noqa: BLE001 - every failure is an error event, never a dead worker
            mapped = None
            try:
                mapped = self.backend.classify(e, req)
            except Exception:
                pass
            if mapped is None and isinstance(e, OSError) and e.errno == errno.ENOSPC:
                mapped = WorkerError("internal", f"The pod's disk is full ({self.outputs}): delete images or models on the pod, or enlarge its volume.")
            if mapped is None and looks_like_oom(e):
                mapped = WorkerError("oom", oom_message(req, self.cpu_offload, str(e).splitlines()[0][:200] if str(e) else ""))
            self.backend.after_error()
            if mapped is None:
                traceback.print_exc(file=sys.stderr)
                mapped = WorkerError("internal", f"{type(e).__name__}: {e}"[:2000])
            self._finish_error(req.id, mapped.code, mapped.message)
            if not isinstance(e, Exception):
                raise
            return
        event = {
            "path": str(path),
            "seed": req.seed,
            "width": image.width,
            "height": image.height,
            "bytes": size,
            "sha256": digest,
            "model": req.model,
            "load_seconds": round(load_seconds, 3),
            "gen_seconds": round(gen_seconds, 3),
        }
        self.touch_activity(force=True)
        self._journal({"event": "done", "id": req.id, **event})  # on disk before the studio hears of it
        self._not_running(req.id)  # a status asked right after `done` shows the worker idle
        self.emit.done(req.id, **event)

    def _hold_pod_lock(self) -> None:
        """One working worker per outputs folder (per pod): a worker started after a lost
        connection waits here, before loading a model, until the old one has finished the
        image it was making and exited. Held until this process exits. Only for a backend
        on a GPU (where two loaded FLUX pipelines do not fit); waits at most 10 minutes."""
        if self._lock_fd is not None or not getattr(self.backend, "exclusive", False):
            return
        import fcntl

        self.outputs.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.outputs / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("worker: another worker is still running on this outputs folder; waiting for it to exit", file=sys.stderr)
            give_up = time.monotonic() + 600
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    pass
                if time.monotonic() > give_up:
                    print("worker: the other worker did not exit in 10 minutes; going on", file=sys.stderr)
                    break
                try:
                    self._check_cancel()  # a cancel still works while waiting
                except Cancelled:
                    os.close(fd)
                    raise
                time.sleep(0.2)
        self._lock_fd = fd

    def _finish_error(self, rid: str, code: str, message: str) -> None:
        self.touch_activity(force=True)
        self._journal({"event": "error", "id": rid, "code": code, "message": message})
        self._not_running(rid)
        self.emit.error(rid, code, message)

    def _not_running(self, rid: str) -> None:
        with self._cond:
            if self._running is not None and self._running.id == rid:
                self._running = None
                self._cancel_running = False

    def _journal(self, event: dict[str, Any]) -> None:
        try:
            self.outputs.mkdir(parents=True, exist_ok=True)
            line = json.dumps({**event, "at": datetime.now().isoformat(timespec="seconds")}, ensure_ascii=False) + "\n"
            fd = os.open(self.outputs / JOURNAL_NAME, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
        except OSError as e:
            print(f"worker: could not write the journal: {e}", file=sys.stderr)


# ----------------------------------------------------------------------------------------
# Command line


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="worker.py", description="flux-studio warm generation worker (JSON lines on stdin/stdout)")
    p.add_argument("--outputs", default="/workspace/outputs", help="folder the JPEGs are written to")
    p.add_argument("--model-path", action="append", default=[], metavar="MODEL=PATH", help="flux-dev=FOLDER|HUB_ID (repeatable)")
    p.add_argument("--cpu-offload", dest="cpu_offload", action="store_true", default=True)
    p.add_argument("--no-cpu-offload", dest="cpu_offload", action="store_false")
    p.add_argument("--device", choices=("auto", "cuda", "cpu"), default="auto")
    p.add_argument("--dtype", choices=("bfloat16", "float32"), default=None, help="default: bfloat16 on cuda, float32 on cpu")
    p.add_argument("--pipeline", choices=("diffusers", "standin"), default="diffusers")
    p.add_argument("--activity", default=None, metavar="FILE", help="the idle watchdog's activity marker (watchdog.py), touched on every request")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's); 1 suits tiny test models on a shared CPU")
    args = p.parse_args(argv)
    paths = dict(DEFAULT_MODEL_PATHS)
    for item in args.model_path:
        model, sep, value = item.partition("=")
        if not sep or model not in MODELS or not value:
            p.error(f"--model-path: expected MODEL=PATH with MODEL one of {', '.join(MODELS)}, got {item!r}")
        paths[model] = value
    args.model_paths = paths
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # Protocol lines go to a private copy of stdout; fd 1 (and Python's sys.stdout) now
    # point at stderr, so nothing a library prints can corrupt the protocol stream.
    proto_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    proto = os.fdopen(proto_fd, "w", encoding="utf-8", newline="\n")
    emitter = Emitter(proto)
    # A hangup (pty closed) must not kill a generation in progress; stdin EOF ends us.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    outputs = Path(os.path.abspath(args.outputs))
    debug = os.environ.get("FLUX_STUDIO_WORKER_DEBUG") == "1"
    try:
        if args.pipeline == "standin":
            from standin import StandinBackend

            backend: Backend = StandinBackend(args.model_paths)
        else:
            from flux_pipeline import DiffusersBackend

            backend = DiffusersBackend(args.model_paths, device=args.device, dtype=args.dtype, cpu_offload=args.cpu_offload, debug_emit=emitter if debug else None, threads=args.threads)
        info = backend.info()
        # What is in effect: offload only applies on a GPU (the stand-in reports the flag as given).
        offload = bool(getattr(backend, "cpu_offload", args.cpu_offload))
    except Exception as e:  # e.g. torch missing: say so on the protocol, then exit non-zero
        traceback.print_exc(file=sys.stderr)
        emitter.error(None, "internal", f"worker could not start: {type(e).__name__}: {e}")
        return 1
    emitter.ready(
        pipeline=backend.name,
        pid=os.getpid(),
        outputs=str(outputs),
        cpu_offload=offload,
        **info,
    )
    activity = Path(os.path.abspath(args.activity)) if args.activity else None
    Worker(backend, emitter, outputs, cpu_offload=offload, debug=debug, activity=activity).serve(sys.stdin.buffer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
