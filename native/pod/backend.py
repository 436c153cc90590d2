"""What the worker's two image makers share: the Backend interface, error types and mapping.

worker.py runs as a script (module __main__), so the classes that flux_pipeline.py and
standin.py raise live here, imported once by everyone.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable

from protocol import GenerateRequest, Lora

DEFAULT_MODEL_PATHS = {"flux-dev": "black-forest-labs/FLUX.1-dev", "flux-schnell": "black-forest-labs/FLUX.1-schnell"}
MAX_SEQUENCE_LENGTH = {"flux-dev": 512, "flux-schnell": 256}
ERROR_CODES = ("bad_request", "cancelled", "oom", "gated", "model_missing", "lora_missing", "lora_invalid", "internal")


class WorkerError(Exception):
    """An error with a protocol code and a message that says what to do."""

    def __init__(self, code: str, message: str):
        assert code in ERROR_CODES, code
        super().__init__(message)
        self.code = code
        self.message = message


class Cancelled(Exception):
    pass


# ----------------------------------------------------------------------------------------
# What a backend (diffusers or the stand-in) provides


class Backend:
    """The image maker. Only the executor thread calls load/set_loras/generate."""

    name = "?"

    def info(self) -> dict[str, Any]:
        """device, torch, diffusers for the ready event."""
        raise NotImplementedError

    def loaded_model(self) -> str | None:
        raise NotImplementedError

    def ensure_model(self, model: str, on_loading: Callable[[], None]) -> None:
        """Loads MODEL (unloading another) unless it is loaded; calls on_loading before a load."""
        raise NotImplementedError

    def ensure_loras(self, loras: tuple[Lora, ...]) -> None:
        raise NotImplementedError

    def generate(self, req: GenerateRequest, on_step: Callable[[int, int], None]) -> Any:
        """Returns a PIL image of req.width x req.height. on_step(step, total) may raise Cancelled."""
        raise NotImplementedError

    def memory(self) -> dict[str, int] | None:
        return None

    def classify(self, exc: BaseException, req: GenerateRequest) -> WorkerError | None:
        """Maps a library exception to a protocol error (None: internal)."""
        return None

    def after_error(self) -> None:
        """Frees what a failed request left behind (GPU cache after an OOM, ...)."""


def oom_message(req: GenerateRequest, cpu_offload: bool, detail: str = "") -> str:
    tips = [f"a smaller size than {req.width}x{req.height}"]
    if req.loras:
        tips.append(f"fewer LoRAs (this request had {len(req.loras)})")
    if not cpu_offload:
        tips.append("turning CPU offload on in the pod settings")
    msg = "Out of GPU memory. Try " + ", ".join(tips[:-1]) + (" or " if len(tips) > 1 else "") + tips[-1] + "."
    return msg + (f" ({detail})" if detail else "")


def looks_like_oom(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    name = type(exc).__name__
    text = str(exc).lower()
    return name == "OutOfMemoryError" or (isinstance(exc, RuntimeError) and ("out of memory" in text or "can't allocate memory" in text))


def check_lora_file(lora: Lora) -> None:
    """Same checks on both pipelines: the file exists and is a safetensors file."""
    path = lora.path
    if not os.path.isfile(path):
        raise WorkerError("lora_missing", f"LoRA file not found on the pod: {path}. Upload it again or remove it from the request.")
    try:
        with open(path, "rb") as f:
            head = f.read(8)
            n = int.from_bytes(head, "little") if len(head) == 8 else 0
            if not 2 <= n <= 100 * 1024 * 1024:
                raise ValueError("no safetensors header")
            header = json.loads(f.read(n))
            if not isinstance(header, dict):
                raise ValueError("header is not an object")
    except (OSError, ValueError) as e:
        raise WorkerError("lora_invalid", f"{path} is not a safetensors LoRA file ({e}). Use a .safetensors LoRA for FLUX.") from None



def model_source(model: str, value: str) -> tuple[str, str]:
    """("local", folder) or ("hub", repo id). A local folder that is missing is model_missing."""
    is_local = value.startswith(("/", "./", "../", "~")) or value.count("/") != 1 or os.path.isdir(value)
    if is_local:
        folder = os.path.abspath(os.path.expanduser(value))
        if not os.path.isdir(folder):
            raise WorkerError("model_missing", f"{model}: model folder not found on the pod: {folder}. Prepare the pod (it downloads the model) or fix the model path.")
        if not os.path.isfile(os.path.join(folder, "model_index.json")):
            raise WorkerError("model_missing", f"{model}: {folder} is not a diffusers model folder (no model_index.json). Prepare the pod again or fix the model path.")
        return "local", folder
    return "hub", value
