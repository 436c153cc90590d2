"""JSON-lines protocol between the studio and the warm worker on the GPU host.

One JSON object per line in each direction. The studio writes requests to the worker's
stdin; the worker answers on stdout with events tagged by the request id:

    {"id": "r1", "type": "generate", "prompt": "...", "width": 1024, ...}
    {"id": "r1", "event": "progress", "step": 3, "total": 20, "elapsed": 1.9}
    {"id": "r1", "event": "done", "path": "/workspace/outputs/flux_...jpg", "seed": 42, ...}
    {"id": "r1", "event": "error", "code": "oom", "message": "..."}

Nothing here imports torch, so the protocol is testable (and importable) without a GPU.
Stdout carries only protocol lines; anything else a library prints must go to stderr.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any, Iterator

PROTOCOL_VERSION = 1
MODELS = ("flux-dev", "flux-schnell")
MAX_LINE_BYTES = 1 << 20
MAX_SEED = 2**32 - 1


class ProtocolError(Exception):
    """A request the worker cannot accept; reported as an `error` event, never a crash."""

    def __init__(self, code: str, message: str, request_id: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.request_id = request_id


@dataclass(frozen=True)
class Lora:
    path: str
    scale: float


@dataclass(frozen=True)
class GenerateRequest:
    id: str
    prompt: str
    width: int
    height: int
    steps: int
    guidance: float
    seed: int
    jpeg_quality: int
    model: str
    loras: tuple[Lora, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CancelRequest:
    id: str
    target: str


@dataclass(frozen=True)
class PingRequest:
    id: str


@dataclass(frozen=True)
class StatusRequest:
    """Answered at once (even while a generation runs) with a `status` event."""

    id: str


Request = GenerateRequest | CancelRequest | PingRequest | StatusRequest


def _field(obj: dict[str, Any], name: str, kind: type | tuple[type, ...], rid: str | None) -> Any:
    if name not in obj:
        raise ProtocolError("bad_request", f"{name}: missing", rid)
    value = obj[name]
    # bool is an int in Python; a JSON true is never a valid number here.
    if isinstance(value, bool) and kind is not bool:
        raise ProtocolError("bad_request", f"{name}: expected a number, got a boolean", rid)
    if not isinstance(value, kind):
        raise ProtocolError("bad_request", f"{name}: expected {getattr(kind, '__name__', kind)}", rid)
    if isinstance(value, str):
        # JSON can carry lone surrogates ("\ud800"); they are not text and no tokenizer takes them.
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ProtocolError("bad_request", f"{name}: contains an unpaired UTF-16 surrogate", rid) from None
    return value


def _in_range(name: str, value: float, lo: float, hi: float, rid: str | None) -> None:
    if not lo <= value <= hi:
        raise ProtocolError("bad_request", f"{name}: {value} is outside {lo}..{hi}", rid)


def parse_request(line: str | bytes) -> Request:
    """Parses and validates one request line."""
    if isinstance(line, bytes):
        if len(line) > MAX_LINE_BYTES:
            raise ProtocolError("bad_request", "request line too long")
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ProtocolError("bad_request", f"request is not UTF-8: {e}") from None
    if len(line) > MAX_LINE_BYTES:
        raise ProtocolError("bad_request", "request line too long")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise ProtocolError("bad_request", f"request is not JSON: {e.msg}") from None
    if not isinstance(obj, dict):
        raise ProtocolError("bad_request", "request must be a JSON object")
    rid = obj.get("id")
    if not isinstance(rid, str) or not 0 < len(rid) <= 64:
        raise ProtocolError("bad_request", "id: must be a string of 1-64 characters")
    kind = obj.get("type")
    if kind == "ping":
        return PingRequest(id=rid)
    if kind == "status":
        return StatusRequest(id=rid)
    if kind == "cancel":
        return CancelRequest(id=rid, target=_field(obj, "target", str, rid))
    if kind != "generate":
        raise ProtocolError("bad_request", f"type: unknown request type {kind!r}", rid)

    prompt = _field(obj, "prompt", str, rid)
    if not prompt.strip():
        raise ProtocolError("bad_request", "prompt: must not be empty", rid)
    width = _field(obj, "width", int, rid)
    height = _field(obj, "height", int, rid)
    for name, side in (("width", width), ("height", height)):
        _in_range(name, side, 256, 4096, rid)
        if side % 16:
            raise ProtocolError("bad_request", f"{name}: {side} is not a multiple of 16", rid)
    steps = _field(obj, "steps", int, rid)
    _in_range("steps", steps, 1, 200, rid)
    guidance = float(_field(obj, "guidance", (int, float), rid))
    _in_range("guidance", guidance, 0.0, 20.0, rid)
    seed = _field(obj, "seed", int, rid)
    _in_range("seed", seed, 0, MAX_SEED, rid)
    quality = _field(obj, "jpeg_quality", int, rid)
    _in_range("jpeg_quality", quality, 1, 100, rid)
    model = _field(obj, "model", str, rid)
    if model not in MODELS:
        raise ProtocolError("bad_request", f"model: {model!r} is not one of {', '.join(MODELS)}", rid)
    loras_raw = obj.get("loras", [])
    if not isinstance(loras_raw, list) or len(loras_raw) > 8:
        raise ProtocolError("bad_request", "loras: expected a list of at most 8", rid)
    loras = []
    for i, item in enumerate(loras_raw):
        if not isinstance(item, dict):
            raise ProtocolError("bad_request", f"loras[{i}]: expected an object", rid)
        path = _field(item, "path", str, rid)
        if not path or "\x00" in path:
            raise ProtocolError("bad_request", f"loras[{i}].path: must be a non-empty path without NUL", rid)
        scale = float(_field(item, "scale", (int, float), rid))
        _in_range(f"loras[{i}].scale", scale, -4.0, 4.0, rid)
        loras.append(Lora(path=path, scale=scale))
    return GenerateRequest(
        id=rid,
        prompt=prompt,
        width=width,
        height=height,
        steps=steps,
        guidance=guidance,
        seed=seed,
        jpeg_quality=quality,
        model=model,
        loras=tuple(loras),
    )


def read_requests(stream: IO[bytes]) -> Iterator[Request | ProtocolError]:
    """Yields each request (or the error for a bad line) until stdin closes."""
    for raw in stream:
        if not raw.strip():
            continue
        try:
            yield parse_request(raw)
        except ProtocolError as err:
            yield err


class Emitter:
    """Writes events as single JSON lines, flushed, from any thread."""

    def __init__(self, stream: IO[str]):
        self._stream = stream
        self._lock = threading.Lock()
        self.broken = False

    def emit(self, event: str, request_id: str | None = None, **fields: Any) -> None:
        payload: dict[str, Any] = {"event": event}
        if request_id is not None:
            payload["id"] = request_id
        payload.update(fields)
        line = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        with self._lock:
            if self.broken:
                return
            try:
                self._stream.write(line + "\n")
                self._stream.flush()
            except (OSError, ValueError):
                # The reader went away (SSH link lost): keep working so that the image being
                # made still lands on disk; the studio finds it after it reconnects.
                self.broken = True

    def ready(self, **fields: Any) -> None:
        self.emit("ready", protocol=PROTOCOL_VERSION, **fields)

    def progress(self, request_id: str, step: int, total: int, elapsed: float) -> None:
        self.emit("progress", request_id, step=step, total=total, elapsed=round(elapsed, 3))

    def done(self, request_id: str, **fields: Any) -> None:
        self.emit("done", request_id, **fields)

    def error(self, request_id: str | None, code: str, message: str) -> None:
        self.emit("error", request_id, code=code, message=message)


def output_filename(now: datetime, seed: int) -> str:
    """flux_YYYYMMDD_HHMMSS_<seed>.jpg, as the original shell workflow named its images."""
    return f"flux_{now:%Y%m%d_%H%M%S}_{seed}.jpg"
