"""A fast stand-in image maker for plumbing tests (SSH, queues, transfers, cancel).

Not FLUX: a deterministic image from (seed, width, height) — a numpy-RNG colour gradient
with noise — shifted by the LoRAs in use, so that "a LoRA changes the image" holds here
too. It sleeps FLUX_STUDIO_STANDIN_STEP_MS (default 50) per step and calls the real step
callback each time, so progress, cancel and timing behave like the real pipeline. It
imports neither torch nor diffusers, so it starts in a fraction of a second.

Error paths for tests: a prompt containing "__standin_oom__" raises the out-of-memory
error torch raises (mapped to `oom` by the shared worker code); a model path that is a
missing folder gives `model_missing` exactly as the real pipeline does.
FLUX_STUDIO_STANDIN_EXCLUSIVE=1 makes it take the one-worker-per-outputs lock that the
real pipeline takes on a GPU.
"""

from __future__ import annotations

import hashlib
import os
import platform
import time
from importlib import metadata
from typing import Any, Callable

import numpy as np
from PIL import Image

from backend import Backend, model_source
from protocol import GenerateRequest, Lora

OOM_MARKER = "__standin_oom__"


class StandinOutOfMemoryError(RuntimeError):
    """Named like torch.OutOfMemoryError; the message is torch's."""


StandinOutOfMemoryError.__name__ = "OutOfMemoryError"


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def standin_image(seed: int, width: int, height: int, loras: tuple[tuple[str, float], ...] = ()) -> Image.Image:
    rng = np.random.default_rng(seed)
    c0, c1, c2 = rng.uniform(0, 255, size=(3, 3))
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :, None]
    img = c0 * (1 - x) * (1 - y) + c1 * x + c2 * y * (1 - x)
    img = img + rng.normal(0.0, 12.0, size=(height, width, 3)).astype(np.float32)
    for digest, scale in loras:  # each LoRA tints the image by its content and scale
        tint = np.frombuffer(bytes.fromhex(digest)[:3], dtype=np.uint8).astype(np.float32) - 128.0
        img = img + tint * (scale / 4.0)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


class StandinBackend(Backend):
    name = "standin"

    def __init__(self, model_paths: dict[str, str]):
        self.model_paths = model_paths
        self._model: str | None = None
        self._loras: tuple[tuple[str, float], ...] = ()
        self.step_seconds = float(os.environ.get("FLUX_STUDIO_STANDIN_STEP_MS", "50")) / 1000.0
        # As the real pipeline on a GPU: one working worker per outputs folder (worker.py's lock).
        self.exclusive = os.environ.get("FLUX_STUDIO_STANDIN_EXCLUSIVE") == "1"

    def info(self) -> dict[str, Any]:
        return {"device": "cpu", "torch": _version("torch"), "diffusers": _version("diffusers"), "python": platform.python_version()}

    def loaded_model(self) -> str | None:
        return self._model

    def ensure_model(self, model: str, on_loading: Callable[[], None]) -> None:
        if self._model == model:
            return
        model_source(model, self.model_paths[model])
        on_loading()
        self._model = model
        self._loras = ()

    def ensure_loras(self, loras: tuple[Lora, ...]) -> None:
        out = []
        for lora in loras:
            h = hashlib.sha256()
            with open(lora.path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            out.append((h.hexdigest(), lora.scale))
        self._loras = tuple(out)

    def generate(self, req: GenerateRequest, on_step: Callable[[int, int], None]) -> Image.Image:
        for step in range(1, req.steps + 1):
            time.sleep(self.step_seconds)
            if OOM_MARKER in req.prompt and step == 1:
                raise StandinOutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB (stand-in)")
            on_step(step, req.steps)
        return standin_image(req.seed, req.width, req.height, self._loras)
