"""worker.py end to end with the real diffusers FluxPipeline on tiny random-weight models.

The models come from native/fixtures/tiny_flux.py (FLUX.1-dev and -schnell layouts saved
with save_pretrained, a tiny peft LoRA). The worker runs as a subprocess on the CPU in
float32 and loads those folders exactly as it loads FLUX.1-dev on a pod: production code
path, pipeline call, step callback, seeding, cancel, LoRA loading, JPEG writing, error
mapping. One worker serves the module's tests (as one warm worker serves a connection).
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="the pod venv (scripts/pod-venv.sh) has torch; system Python may not")
pytest.importorskip("diffusers")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from fake_hub import FakeHub, hub  # noqa: E402, F401 - hub is a fixture
from worker_harness import WorkerProcess, generate, jpeg_comment, tiny_flux_dir  # noqa: E402

NAME = re.compile(r"^flux_\d{8}_\d{6}_(\d+)\.jpg$")

# CI runs the worker on the CPU in float32. On a machine with a GPU,
# FLUX_STUDIO_TEST_DEVICE=cuda runs the same tests through the production GPU path
# (device detection, bfloat16, model CPU offload) exactly as on a pod.
DEVICE = os.environ.get("FLUX_STUDIO_TEST_DEVICE", "cpu")
DEVICE_ARGS = ["--device", "cpu", "--dtype", "float32", "--threads", "1"] if DEVICE == "cpu" else ["--device", DEVICE]


@pytest.fixture(scope="module")
def tiny() -> dict:
    folder = tiny_flux_dir()
    return json.loads((folder / "tiny-flux.json").read_text())


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("outputs")


@pytest.fixture(scope="module")
def worker(tiny, outputs):
    w = WorkerProcess(
        [
            "--outputs", str(outputs),
            "--model-path", f"flux-dev={tiny['flux-dev']}",
            "--model-path", f"flux-schnell={tiny['flux-schnell']}",
            *DEVICE_ARGS,
        ],
        env={"FLUX_STUDIO_WORKER_DEBUG": "1", "FLUX_STUDIO_TEST_HOOKS": "1"},
    )
    w.ready = w.next(lambda e: e["event"] == "ready", timeout=120)
    yield w
    w.kill()
    assert not w.non_json, f"non-protocol lines on stdout: {w.non_json[:5]}"


def pixels(path: str) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.int16)


def run_ok(worker, req) -> tuple[dict, list[dict]]:
    worker.send(req)
    final, events = worker.until_final(req["id"], timeout=120)
    assert final["event"] == "done", final
    return final, events


def test_ready_comes_first_and_names_the_runtime(worker):
    assert worker.history[0] is worker.ready
    r = worker.ready
    assert r["protocol"] == 1 and r["pipeline"] == "diffusers"
    assert r["torch"].startswith("2.") and r["diffusers"]
    if DEVICE == "cpu":
        assert r["device"] == "cpu" and r["dtype"] == "float32"
        assert r["cpu_offload"] is False  # asked for (the default), but offload only applies on a GPU
    else:
        # The GPU's name (e.g. "NVIDIA H200"), bfloat16 by default, offload in effect as asked.
        assert r["device"].startswith("NVIDIA") and r["dtype"] == "bfloat16"
        assert r["cpu_offload"] is True


def test_generate_writes_a_jpeg_of_the_requested_size_with_one_progress_event_per_step(worker, outputs):
    final, events = run_ok(worker, generate("size", width=256, height=320, steps=4, seed=7))
    assert [e["event"] for e in events if e["event"] != "debug"] == ["loading", "progress", "progress", "progress", "progress", "done"]
    assert [e["model"] for e in events if e["event"] == "loading"] == ["flux-dev"]
    progress = [e for e in events if e["event"] == "progress"]
    assert [(p["step"], p["total"]) for p in progress] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert all(b["elapsed"] >= a["elapsed"] >= 0 for a, b in zip(progress, progress[1:]))
    path = Path(final["path"])
    assert path.parent == outputs and NAME.match(path.name) and NAME.match(path.name).group(1) == "7"
    data = path.read_bytes()
    assert final["bytes"] == len(data) and final["sha256"] == __import__("hashlib").sha256(data).hexdigest()
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG" and im.size == (256, 320)
    assert (final["width"], final["height"], final["seed"]) == (256, 320, 7)
    assert final["load_seconds"] > 0 and final["gen_seconds"] > 0
    assert not list(outputs.glob(".tmp-*"))


def test_same_seed_same_image_other_seed_other_image_and_the_model_stays_loaded(worker):
    a, events_a = run_ok(worker, generate("seed-a", seed=1234))
    b, events_b = run_ok(worker, generate("seed-b", seed=1234))
    c, _ = run_ok(worker, generate("seed-c", seed=1235))
    assert not any(e["event"] == "loading" for e in events_a + events_b)  # warm: no reload
    assert a["path"] != b["path"]  # same seed within a second: a new name, not an overwrite
    assert np.array_equal(pixels(a["path"]), pixels(b["path"]))
    assert np.abs(pixels(a["path"]) - pixels(c["path"])).mean() > 1.0


def test_a_lora_changes_the_image_and_is_unloaded_when_not_asked_for(worker, tiny):
    base, _ = run_ok(worker, generate("lora-0", seed=99))
    with_lora, _ = run_ok(worker, generate("lora-1", seed=99, loras=[{"path": tiny["lora"], "scale": 1.0}]))
    half, _ = run_ok(worker, generate("lora-2", seed=99, loras=[{"path": tiny["lora"], "scale": 0.3}]))
    again, _ = run_ok(worker, generate("lora-3", seed=99))
    p0, p1, p2, p3 = (pixels(x["path"]) for x in (base, with_lora, half, again))
    assert np.abs(p0 - p1).mean() > 1.0
    assert np.abs(p1 - p2).mean() > 0.5  # a scale change alone changes the image
    assert np.array_equal(p0, p3)
    status = worker_status(worker)
    assert status["model"] == "flux-dev"


def worker_status(worker) -> dict:
    rid = worker.request_id("status")
    worker.send({"id": rid, "type": "status"})
    return worker.next(lambda e: e.get("id") == rid)


def test_missing_and_invalid_loras_are_errors_and_the_worker_keeps_serving(worker, tmp_path):
    worker.send(generate("lm", loras=[{"path": str(tmp_path / "nope.safetensors"), "scale": 1.0}]))
    final, _ = worker.until_final("lm")
    assert final["code"] == "lora_missing" and "nope.safetensors" in final["message"]
    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(b"this is not a safetensors file")
    worker.send(generate("lg", loras=[{"path": str(garbage), "scale": 1.0}]))
    final, _ = worker.until_final("lg")
    assert final["code"] == "lora_invalid"
    # A real safetensors file whose tensors are no LoRA: diffusers/peft refuse it.
    from safetensors.numpy import save_file

    not_lora = tmp_path / "not-a-lora.safetensors"
    save_file({"weights.0": np.zeros((4, 4), dtype=np.float32)}, str(not_lora))
    worker.send(generate("ln", loras=[{"path": str(not_lora), "scale": 1.0}]))
    final, _ = worker.until_final("ln")
    assert final["code"] == "lora_invalid", final
    run_ok(worker, generate("after-lora-errors"))


def test_cancel_mid_run_stops_between_steps_and_the_worker_keeps_serving(worker, outputs):
    before = set(outputs.glob("*.jpg"))
    worker.send(generate("long", steps=200, seed=5))
    worker.send(generate("queued", seed=6))
    worker.next(lambda e: e.get("id") == "long" and e["event"] == "progress" and e["step"] >= 2, timeout=120)
    status = worker_status(worker)
    assert status["running"] == "long" and status["queued"] == ["queued"]
    worker.send({"id": "c1", "type": "cancel", "target": "queued"})
    worker.send({"id": "c2", "type": "cancel", "target": "long"})
    final, events = worker.until_final("long")
    assert final == {"event": "error", "id": "long", "code": "cancelled", "message": "Cancelled."}
    assert max(e["step"] for e in events if e["event"] == "progress") < 200
    queued, _ = worker.until_final("queued")
    assert queued["code"] == "cancelled"
    assert set(outputs.glob("*.jpg")) == before
    run_ok(worker, generate("after-cancel"))


def test_switching_to_schnell_loads_it_and_unloads_dev(worker):
    final, events = run_ok(worker, generate("schnell", model="flux-schnell", steps=2, guidance=0.0, width=320, height=256))
    assert [e["model"] for e in events if e["event"] == "loading"] == ["flux-schnell"]
    with Image.open(final["path"]) as im:
        assert im.size == (320, 256)
    assert worker_status(worker)["model"] == "flux-schnell"
    # guidance is ignored for schnell: a different guidance gives the same image
    other, _ = run_ok(worker, generate("schnell-g", model="flux-schnell", steps=2, guidance=7.0, width=320, height=256))
    assert np.array_equal(pixels(final["path"]), pixels(other["path"]))


def test_out_of_memory_maps_to_oom_with_what_to_try(worker):
    worker.send(generate("oom", prompt="a castle __fault_oom__", loras=[]))
    final, _ = worker.until_final("oom")
    assert final["code"] == "oom"
    assert "smaller size than 256x256" in final["message"]
    run_ok(worker, generate("after-oom"))


SHELL_PROMPT = "it's \"quoted\" $(touch /tmp/pwned-by-prompt) `id` ; rm -rf ~ && echo $HOME | cat\nsecond line\t\\n <>|& ' \u00e9\U0001F431 %s {} \\"


def test_a_prompt_full_of_shell_metacharacters_reaches_the_pipeline_byte_for_byte(worker):
    final, events = run_ok(worker, generate("shell", prompt=SHELL_PROMPT))
    encoded = [e for e in events if e["event"] == "debug" and e["stage"] == "encode_prompt"]
    assert [e["prompt"] for e in encoded] == [SHELL_PROMPT]
    # Not under inference_mode: with CPU offload on a GPU it turns the LoRA weights into
    # inference tensors and the next LoRA change fails (seen on an H200; no_grad instead).
    assert [e["inference_mode"] for e in encoded] == [False]
    assert jpeg_comment(Path(final["path"]))["prompt"] == SHELL_PROMPT
    assert not Path("/tmp/pwned-by-prompt").exists()


@pytest.mark.parametrize(
    "line, needle",
    [
        ("not json at all", "not JSON"),
        ('{"id":"b1","type":"generate"}', "prompt: missing"),
        (json.dumps(generate("b2", width=264)), "multiple of 16"),
        (json.dumps(generate("b3", steps="many")), "steps"),
        (json.dumps(generate("b4", prompt="\ud800 lone")), "surrogate"),
        (json.dumps(generate("b5", model="sdxl")), "model"),
        ('{"id":"b6","type":"reboot"}', "unknown request type"),
        (b"\xff\xfe\n", "UTF-8"),
    ],
)
def test_bad_requests_are_bad_request_errors_not_crashes(worker, line, needle):
    worker.send(line)
    err = worker.next(lambda e: e["event"] == "error")
    assert err["code"] == "bad_request" and needle in err["message"]
    rid = worker.request_id("alive")
    worker.send({"id": rid, "type": "ping"})
    assert worker.next(lambda e: e.get("id") == rid)["event"] == "pong"


def test_a_duplicate_id_is_refused(worker):
    worker.send(generate("dup", steps=8))
    worker.send(generate("dup"))
    final, events = worker.until_final("dup")
    assert final["code"] == "bad_request" and "already queued or running" in final["message"]
    _, done = worker.wait(lambda e: e.get("id") == "dup" and e["event"] == "done", 0, 120)
    assert Path(done["path"]).is_file()


def test_closing_stdin_finishes_the_running_image_then_exits_0(worker, outputs):
    worker.send(generate("last", steps=6, seed=77))
    worker.next(lambda e: e.get("id") == "last" and e["event"] == "progress")
    assert worker.close(timeout=120) == 0
    final = [e for e in worker.history if e.get("id") == "last" and e["event"] in ("done", "error")]
    assert final and final[-1]["event"] == "done" and Path(final[-1]["path"]).is_file()
    journal = [json.loads(l) for l in (outputs / ".flux-studio-journal.jsonl").read_text().splitlines()]
    assert journal[-1]["id"] == "last" and journal[-1]["path"] == final[-1]["path"]
    assert {"size", "cancelled"} <= {j["id"] if j["event"] == "done" else j["code"] for j in journal}


def test_a_missing_model_folder_is_model_missing_and_hub_errors_are_mapped(tmp_path, hub):
    """Second worker: flux-dev is a folder that is not there; flux-schnell a hub id served by
    a local Hub (HF_ENDPOINT) that answers gated, then not found, then fails (400)."""
    env = {k: "" for k in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")}
    env.update({"HF_HOME": str(tmp_path / "hf"), "HF_ENDPOINT": hub, "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_XET": "1"})
    w = WorkerProcess(
        ["--outputs", str(tmp_path / "out"), "--model-path", f"flux-dev={tmp_path / 'no-such-model'}",
         "--model-path", "flux-schnell=black-forest-labs/FLUX.1-schnell", "--device", "cpu"],
        env=env,
    )
    try:
        w.next(lambda e: e["event"] == "ready", timeout=120)
        w.send(generate("mm"))
        final, events = w.until_final("mm")
        assert final["code"] == "model_missing" and "no-such-model" in final["message"]
        assert not any(e["event"] == "loading" for e in events)
        for mode, code, needle in [("gated", "gated", "Accept the model's licence"), ("missing", "model_missing", "not found on the Hugging Face Hub"), ("down", "model_missing", "could not be downloaded")]:
            FakeHub.mode = mode
            rid = f"hub-{mode}"
            w.send(generate(rid, model="flux-schnell", guidance=0.0))
            final, events = w.until_final(rid, timeout=120)
            assert (final["code"], [e["event"] for e in events][0]) == (code, "loading"), final
            assert needle in final["message"] and "black-forest-labs/FLUX.1-schnell" in final["message"]
        w.send({"id": "st", "type": "status"})
        assert w.next(lambda e: e.get("id") == "st")["model"] is None
        assert w.close() == 0
    finally:
        w.kill()
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.jpg"))
