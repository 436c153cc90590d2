"""The tiny FLUX fixture (native/fixtures/tiny_flux.py) has the shapes of the real models
where the worker's behaviour depends on them: dev vs schnell (guidance embedding,
scheduler shifting), the tokenizers' special ids and lengths, a peft LoRA on the
transformer, and `scripts/tiny-flux.sh OUT` copies with a manifest naming OUT's paths."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("transformers", reason="the pod venv (scripts/pod-venv.sh) has transformers")

from worker_harness import REPO, tiny_flux_dir  # noqa: E402


@pytest.fixture(scope="module")
def tiny() -> Path:
    return tiny_flux_dir()


def config(folder: Path, part: str) -> dict:
    name = "scheduler_config.json" if part == "scheduler" else "config.json"
    return json.loads((folder / part / name).read_text())


def test_dev_and_schnell_differ_where_flux_does(tiny):
    dev, schnell = tiny / "flux-dev", tiny / "flux-schnell"
    assert config(dev, "transformer")["guidance_embeds"] is True
    assert config(schnell, "transformer")["guidance_embeds"] is False
    assert config(dev, "scheduler")["use_dynamic_shifting"] is True and config(dev, "scheduler")["max_shift"] == 1.15
    assert config(schnell, "scheduler")["use_dynamic_shifting"] is False and config(schnell, "scheduler")["shift"] == 1.0
    for folder in (dev, schnell):
        assert config(folder, "transformer")["in_channels"] == 64 and config(folder, "vae")["latent_channels"] == 16
        assert len(config(folder, "vae")["block_out_channels"]) == 4  # 8x downsampling, like FLUX's VAE
        assert json.loads((folder / "model_index.json").read_text())["_class_name"] == "FluxPipeline"


def test_tokenizers_are_clip_bpe_and_t5_shaped(tiny):
    from transformers import AutoTokenizer

    clip = AutoTokenizer.from_pretrained(tiny / "flux-dev" / "tokenizer")
    t5 = AutoTokenizer.from_pretrained(tiny / "flux-dev" / "tokenizer_2")
    assert clip("a photo of a cat").input_ids == [49406, 320, 1125, 539, 320, 2368, 49407]
    assert len(clip) == 49408 and clip.model_max_length == 77
    ids = t5("a photo of a cat").input_ids
    assert ids[-1] == 1 and t5.pad_token_id == 0 and t5.model_max_length == 512
    assert config(tiny / "flux-dev", "text_encoder_2")["vocab_size"] == len(t5)


def test_the_lora_is_a_peft_lora_for_the_transformer(tiny):
    from safetensors import safe_open

    with safe_open(str(tiny / "loras" / "tiny-lora.safetensors"), "np") as f:
        keys = list(f.keys())
    assert keys and all(k.startswith("transformer.") and (".lora_A." in k or ".lora_B." in k) for k in keys)
    assert any(".attn.to_q.lora_B." in k for k in keys)


def test_the_script_copies_to_a_folder_with_its_own_manifest(tiny, tmp_path):
    out = tmp_path / "copy"
    r = subprocess.run(["bash", str(REPO / "scripts" / "tiny-flux.sh"), str(out)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(out)
    manifest = json.loads((out / "tiny-flux.json").read_text())
    assert manifest["flux-dev"] == str(out / "flux-dev") and manifest["lora"] == str(out / "loras" / "tiny-lora.safetensors")
    assert (out / "flux-schnell" / "transformer" / "config.json").is_file()
    r = subprocess.run(["bash", str(REPO / "scripts" / "tiny-flux.sh")], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0 and r.stdout.strip() == str(tiny)
