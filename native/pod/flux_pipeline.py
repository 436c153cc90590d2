"""The real image maker: diffusers FluxPipeline (FLUX.1-dev / FLUX.1-schnell).

The pipeline for a model is loaded on its first request and kept; asking for the other
model unloads it first (one FLUX pipeline is ~33 GB in bf16). CPU offload (on by default)
uses enable_model_cpu_offload. LoRAs are loaded with load_lora_weights + set_adapters and
changed only when the requested set differs from the loaded one (a scale change only
calls set_adapters).

Test hooks (only with FLUX_STUDIO_TEST_HOOKS=1): a prompt containing "__fault_oom__"
makes the step callback raise torch.OutOfMemoryError, to test the mapping with the real
exception type on a machine that has no GPU memory to run out of.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any, Callable

from backend import MAX_SEQUENCE_LENGTH, Backend, WorkerError, looks_like_oom, model_source, oom_message
from protocol import Emitter, GenerateRequest, Lora

FAULT_OOM_MARKER = "__fault_oom__"


def first_line(e: BaseException) -> str:
    text = str(e).strip()
    return f"{type(e).__name__}: {text.splitlines()[0][:200]}" if text else type(e).__name__


class DiffusersBackend(Backend):
    name = "diffusers"

    def __init__(self, model_paths: dict[str, str], device: str = "auto", dtype: str | None = None, cpu_offload: bool = True, debug_emit: Emitter | None = None, threads: int | None = None):
        import diffusers
        import torch

        if threads:
            torch.set_num_threads(threads)

        self.torch = torch
        self.diffusers = diffusers
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device == "cuda" and not torch.cuda.is_available():
            raise RuntimeError("--device cuda, but torch sees no CUDA GPU (check nvidia-smi and the torch build)")
        self.device = device
        self.dtype = {"bfloat16": torch.bfloat16, "float32": torch.float32, None: torch.bfloat16 if device == "cuda" else torch.float32}[dtype]
        self.cpu_offload = cpu_offload and device == "cuda"
        self.exclusive = device == "cuda"  # one worker with a loaded pipeline per GPU (worker.py's lock)
        self.model_paths = model_paths
        self.debug_emit = debug_emit
        self.test_hooks = os.environ.get("FLUX_STUDIO_TEST_HOOKS") == "1"
        self.pipe: Any = None
        self.model: str | None = None
        self.loras: list[tuple[str, float]] = []  # (path, scale) as loaded
        self.adapter_names: list[str] = []
        self._adapter_serial = 0
        self._current_id: str | None = None

    def info(self) -> dict[str, Any]:
        name = self.torch.cuda.get_device_name(0) if self.device == "cuda" else "cpu"
        return {"device": name, "torch": self.torch.__version__, "diffusers": self.diffusers.__version__, "dtype": str(self.dtype).removeprefix("torch.")}

    def loaded_model(self) -> str | None:
        return self.model

    def memory(self) -> dict[str, int] | None:
        if self.device != "cuda":
            return None
        free, total = self.torch.cuda.mem_get_info()
        return {"free": free, "total": total, "allocated": self.torch.cuda.memory_allocated(), "reserved": self.torch.cuda.memory_reserved()}

    # -- models

    def unload(self) -> None:
        if self.pipe is not None:
            try:
                self.pipe.remove_all_hooks()
            except Exception:
                pass
        self.pipe = None
        self.model = None
        self.loras = []
        self.adapter_names = []
        self.after_error()

    def ensure_model(self, model: str, on_loading: Callable[[], None]) -> None:
        if self.pipe is not None and self.model == model:
            return
        kind, source = model_source(model, self.model_paths[model])
        self.unload()
        on_loading()
        from diffusers import FluxPipeline

        try:
            pipe = FluxPipeline.from_pretrained(source, dtype=self.dtype, **({"local_files_only": True} if kind == "local" else {}))
            pipe.set_progress_bar_config(disable=True)
            if self.cpu_offload:
                pipe.enable_model_cpu_offload()
            else:
                pipe.to(self.device)
        except Exception as e:
            pipe = None
            self.after_error()
            mapped = self.load_error(model, kind, source, e)
            if mapped is None:
                raise
            raise mapped from e
        if self.debug_emit is not None:
            self._wrap_encode_prompt(pipe)
        self.pipe = pipe
        self.model = model

    def load_error(self, model: str, kind: str, source: str, exc: BaseException) -> WorkerError | None:
        from huggingface_hub import errors as hf

        chain: list[BaseException] = []
        seen: BaseException | None = exc
        while seen is not None and seen not in chain and len(chain) < 10:
            chain.append(seen)
            seen = seen.__cause__ or seen.__context__
        hf_home = os.environ.get("HF_HOME", "~/.cache/huggingface")
        gated = WorkerError(
            "gated",
            f"{source} is a gated model and the pod has no Hugging Face token with access to it. "
            f"Accept the model's licence at https://huggingface.co/{source} with your Hugging Face account, "
            f"create a token with read access (huggingface.co/settings/tokens), put it in the studio's settings "
            f"and run Prepare pod again (it stores the token in {hf_home}/token).",
        )
        for e in chain:
            if isinstance(e, hf.GatedRepoError):
                return gated
            response = getattr(e, "response", None)
            if isinstance(e, hf.HfHubHTTPError) and getattr(response, "status_code", None) in (401, 403):
                return gated
        for e in chain:
            if looks_like_oom(e):
                return WorkerError("oom", f"Out of memory while loading {model}. Turn CPU offload on in the pod settings or use a GPU with more memory. ({str(e).splitlines()[0][:200]})")
            if isinstance(e, hf.RepositoryNotFoundError):
                return WorkerError("model_missing", f"{source} was not found on the Hugging Face Hub. Check the model id in the pod settings.")
            if isinstance(e, hf.LocalEntryNotFoundError):
                return WorkerError("model_missing", f"{model} ({source}) is not in the model cache ({hf_home}) and could not be downloaded. Run Prepare pod to download it.")
            if isinstance(e, (FileNotFoundError, hf.EntryNotFoundError)):
                return WorkerError("model_missing", f"{model} at {source} is incomplete ({e}). Run Prepare pod again to finish the download.")
        if kind == "hub" and any(isinstance(e, OSError) for e in chain):
            # Not (fully) in the cache and the Hub unreachable or failing (connection refused, 5xx, ...).
            return WorkerError(
                "model_missing",
                f"{model} ({source}) is not fully in the model cache ({hf_home}) and could not be downloaded "
                f"({first_line(chain[-1])}). Run Prepare pod to download it, or check the pod's internet access.",
            )
        text = " ".join(str(e) for e in chain)
        if "gated" in text.lower() or " 401" in text:
            return gated
        if "is not a valid model identifier" in text or "is not a local folder" in text or "does not appear to have" in text:
            return WorkerError("model_missing", f"{model}: could not load {source} ({str(exc).splitlines()[0][:300]}). Run Prepare pod or fix the model path.")
        return None

    # -- LoRAs

    def ensure_loras(self, loras: tuple[Lora, ...]) -> None:
        assert self.pipe is not None
        wanted = [(l.path, l.scale) for l in loras]
        if [p for p, _ in wanted] != [p for p, _ in self.loras]:
            if self.adapter_names:
                self.pipe.unload_lora_weights()
            self.loras, self.adapter_names = [], []
            names = []
            for path, _ in wanted:
                self._adapter_serial += 1
                name = f"lora{self._adapter_serial}"
                try:
                    self.pipe.load_lora_weights(path, adapter_name=name)
                except Exception as e:
                    if looks_like_oom(e):
                        raise
                    try:
                        self.pipe.unload_lora_weights()
                    except Exception:
                        pass
                    raise WorkerError("lora_invalid", f"Could not load the LoRA {path}: {type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''}. Is it a FLUX LoRA?") from e
                names.append(name)
            self.adapter_names = names
        elif [s for _, s in wanted] == [s for _, s in self.loras]:
            return
        if self.adapter_names:
            self.pipe.set_adapters(self.adapter_names, [s for _, s in wanted])
        self.loras = wanted

    # -- generation

    def generate(self, req: GenerateRequest, on_step: Callable[[int, int], None]) -> Any:
        torch = self.torch
        pipe = self.pipe
        assert pipe is not None and self.model == req.model
        generator = torch.Generator(device=self.device).manual_seed(req.seed)
        fault_oom = self.test_hooks and FAULT_OOM_MARKER in req.prompt

        def callback(_pipe: Any, i: int, _t: Any, _kwargs: dict[str, Any]) -> dict[str, Any]:
            if fault_oom:
                raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB (test hook)")
            on_step(i + 1, req.steps)  # raises Cancelled: the pipeline call unwinds at once
            return {}

        self._current_id = req.id
        try:
            # no_grad, not inference_mode: with model CPU offload the weights (LoRA layers
            # included) move to the GPU inside this call, and under inference_mode they would
            # become inference tensors that the next set_adapters/unload cannot touch
            # ("Setting requires_grad=True on inference tensor…", seen on an H200).
            with torch.no_grad():
                result = pipe(
                    prompt=req.prompt,
                    width=req.width,
                    height=req.height,
                    num_inference_steps=req.steps,
                    guidance_scale=req.guidance if req.model == "flux-dev" else 0.0,
                    generator=generator,
                    max_sequence_length=MAX_SEQUENCE_LENGTH[req.model],
                    callback_on_step_end=callback,
                    output_type="pil",
                )
        finally:
            self._current_id = None
        return result.images[0]

    def classify(self, exc: BaseException, req: GenerateRequest) -> WorkerError | None:
        if looks_like_oom(exc):
            return WorkerError("oom", oom_message(req, self.cpu_offload or self.device != "cuda", str(exc).splitlines()[0][:200] if str(exc) else ""))
        return None

    def after_error(self) -> None:
        gc.collect()
        if self.device == "cuda":
            self.torch.cuda.empty_cache()

    def _wrap_encode_prompt(self, pipe: Any) -> None:
        """Debug: reports the prompt exactly as the pipeline's text encoding receives it."""
        original = pipe.encode_prompt
        emit = self.debug_emit

        def encode_prompt(*args: Any, **kwargs: Any) -> Any:
            prompt = kwargs.get("prompt", args[0] if args else None)
            if emit is not None:
                # inference_mode is reported so a test on the CPU guards the GPU-only failure it causes (see generate).
                emit.emit("debug", self._current_id, stage="encode_prompt", prompt=prompt, inference_mode=self.torch.is_inference_mode_enabled())
            return original(*args, **kwargs)

        pipe.encode_prompt = encode_prompt
        print("worker: debug mode, prompts are echoed as debug events", file=sys.stderr)
