"""worker.py with --pipeline standin: the plumbing the TypeScript side relies on.

The stand-in replaces only the image maker; queueing, cancel, LoRA checks, error mapping,
JPEG naming and writing, the journal and the stdout discipline are the same code as the
real pipeline's (test_worker_diffusers.py runs those with diffusers).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from standin import standin_image
from worker_harness import WORKER, WorkerProcess, generate, jpeg_comment

NAME = re.compile(r"^flux_\d{8}_\d{6}_(\d+)\.jpg$")


def start(outputs: Path, *extra: str, env: dict | None = None) -> WorkerProcess:
    w = WorkerProcess(["--pipeline", "standin", "--outputs", str(outputs), *extra], env={"FLUX_STUDIO_STANDIN_STEP_MS": "5", **(env or {})})
    w.ready = w.next(lambda e: e["event"] == "ready", timeout=60)
    return w


@pytest.fixture
def worker(tmp_path):
    w = start(tmp_path / "outputs", env={"FLUX_STUDIO_WORKER_DEBUG": "1"})
    yield w
    w.kill()
    assert not w.non_json, w.non_json


def done(w: WorkerProcess, req: dict) -> dict:
    w.send(req)
    final, _ = w.until_final(req["id"])
    assert final["event"] == "done", final
    return final


def test_ready_and_a_deterministic_image_from_the_seed(worker, tmp_path):
    assert worker.ready["pipeline"] == "standin" and worker.ready["protocol"] == 1 and worker.ready["device"] == "cpu"
    a = done(worker, generate("a", seed=3, width=512, height=256, steps=4))
    b = done(worker, generate("b", seed=3, width=512, height=256, steps=4))
    c = done(worker, generate("c", seed=4, width=512, height=256, steps=4))
    assert a["sha256"] == b["sha256"] != c["sha256"]
    assert a["path"] != b["path"] and all(NAME.match(Path(x["path"]).name) for x in (a, b, c))
    assert {Path(x["path"]).parent for x in (a, b, c)} == {tmp_path / "outputs"}
    with Image.open(a["path"]) as im:
        assert im.size == (512, 256)
        got = np.asarray(im.convert("RGB"), dtype=np.float32)
    buf = io.BytesIO()
    standin_image(3, 512, 256).save(buf, format="JPEG", quality=92)  # generate()'s jpeg_quality
    with Image.open(buf) as im:
        want = np.asarray(im.convert("RGB"), dtype=np.float32)
    assert np.array_equal(got, want)  # the documented image, through the same JPEG encoder
    progress = [e for e in worker.events_of("a") if e["event"] == "progress"]
    assert [(p["step"], p["total"]) for p in progress] == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_loras_change_the_image_and_missing_or_invalid_ones_are_errors(worker, tmp_path):
    from safetensors.numpy import save_file

    lora = tmp_path / "style.safetensors"
    save_file({"transformer.x.lora_A.weight": np.ones((2, 2), dtype=np.float32)}, str(lora))
    base = done(worker, generate("base"))
    styled = done(worker, generate("styled", loras=[{"path": str(lora), "scale": 1.0}]))
    assert base["sha256"] != styled["sha256"]
    worker.send(generate("missing", loras=[{"path": str(tmp_path / "gone.safetensors"), "scale": 1.0}]))
    assert worker.until_final("missing")[0]["code"] == "lora_missing"
    (tmp_path / "bad.safetensors").write_bytes(b"\x00" * 64)
    worker.send(generate("bad", loras=[{"path": str(tmp_path / "bad.safetensors"), "scale": 1.0}]))
    assert worker.until_final("bad")[0]["code"] == "lora_invalid"


def test_the_oom_marker_maps_to_oom_with_what_to_try(worker):
    worker.send(generate("oom", prompt="big __standin_oom__", width=1024, height=1024, loras=[]))
    final, _ = worker.until_final("oom")
    assert final["code"] == "oom"
    assert "smaller size than 1024x1024" in final["message"] and "CPU offload" not in final["message"]
    done(worker, generate("after"))


def test_oom_advice_mentions_offload_and_loras_when_they_apply(tmp_path):
    lora = tmp_path / "l.safetensors"
    from safetensors.numpy import save_file

    save_file({"a": np.ones((1,), dtype=np.float32)}, str(lora))
    w = start(tmp_path / "out", "--no-cpu-offload")
    try:
        w.send(generate("oom", prompt="__standin_oom__", loras=[{"path": str(lora), "scale": 1}]))
        msg = w.until_final("oom")[0]["message"]
        assert "fewer LoRAs" in msg and "CPU offload on" in msg
    finally:
        w.kill()


def test_cancel_running_and_queued(worker, tmp_path):
    worker.send(generate("slow", steps=200))
    worker.send(generate("next"))
    worker.next(lambda e: e.get("id") == "slow" and e["event"] == "progress")
    worker.send({"id": "x1", "type": "cancel", "target": "next"})
    worker.send({"id": "x2", "type": "cancel", "target": "slow"})
    worker.send({"id": "x3", "type": "cancel", "target": "never-sent"})  # ignored
    assert worker.until_final("slow")[0]["code"] == "cancelled"
    assert worker.until_final("next")[0]["code"] == "cancelled"
    assert not list((tmp_path / "outputs").glob("*.jpg"))
    done(worker, generate("still-serving"))
    assert not worker.events_of("x3")


SHELL_PROMPT = "a \"quoted\" 'prompt' $(touch /tmp/standin-pwned) `reboot`; ls | wc > /dev/null && \\\nline2\r\nline3 \u2028 \U0001F600"


def test_the_prompt_arrives_byte_for_byte_and_is_in_the_jpeg(worker):
    final = done(worker, generate("meta", prompt=SHELL_PROMPT, seed=11))
    debug = [e for e in worker.events_of("meta") if e["event"] == "debug"]
    assert [e["prompt"] for e in debug] == [SHELL_PROMPT]
    record = jpeg_comment(Path(final["path"]))
    assert record["prompt"] == SHELL_PROMPT and record["seed"] == 11 and record["model"] == "flux-dev"
    assert not Path("/tmp/standin-pwned").exists()


def test_status_ping_and_model_missing(tmp_path):
    w = start(tmp_path / "out", "--model-path", f"flux-schnell={tmp_path / 'absent'}", "--model-path", "flux-dev=black-forest-labs/FLUX.1-dev")
    try:
        w.send({"id": "p", "type": "ping"})
        assert w.next(lambda e: e.get("id") == "p") == {"event": "pong", "id": "p"}
        w.send(generate("s", model="flux-schnell"))
        final, events = w.until_final("s")
        assert final["code"] == "model_missing" and str(tmp_path / "absent") in final["message"]
        ok = done(w, generate("d"))
        assert [e["model"] for e in w.events_of("d") if e["event"] == "loading"] == ["flux-dev"]
        w.send({"id": "st", "type": "status"})
        st = w.next(lambda e: e.get("id") == "st")
        assert st["model"] == "flux-dev" and st["running"] is None and st["queued"] == [] and "memory" not in st
        assert Path(ok["path"]).is_file()
    finally:
        w.kill()


def test_stdin_close_drains_the_queue_then_exits_0(tmp_path):
    w = start(tmp_path / "out")
    for i in range(3):
        w.send(generate(f"q{i}", seed=i, steps=5))
    assert w.close() == 0
    finals = [w.until_final(f"q{i}")[0] for i in range(3)]
    assert [f["event"] for f in finals] == ["done"] * 3
    journal = [json.loads(l) for l in (tmp_path / "out" / ".flux-studio-journal.jsonl").read_text().splitlines()]
    assert [j["id"] for j in journal] == ["q0", "q1", "q2"] and all(j["path"] for j in journal)


def test_a_lost_reader_does_not_lose_the_image(tmp_path):
    """The SSH link dies mid-generation: stdout is a broken pipe, stdin closes. The worker
    finishes the image, records it in the journal and exits 0."""
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-u", str(WORKER), "--pipeline", "standin", "--outputs", str(out)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env={"FLUX_STUDIO_STANDIN_STEP_MS": "20", "PATH": "/usr/bin:/bin"},
    )
    try:
        assert json.loads(proc.stdout.readline())["event"] == "ready"
        proc.stdin.write((json.dumps(generate("orphan", steps=40, seed=9)) + "\n").encode())
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["event"] == "loading"
        assert json.loads(proc.stdout.readline())["event"] == "progress"
        proc.stdout.close()  # the reader is gone: further writes are EPIPE
        proc.stdin.close()
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    journal = [json.loads(l) for l in (out / ".flux-studio-journal.jsonl").read_text().splitlines()]
    assert journal[-1]["id"] == "orphan" and journal[-1]["event"] == "done"
    assert Path(journal[-1]["path"]).is_file() and NAME.match(Path(journal[-1]["path"]).name).group(1) == "9"


def test_a_second_worker_on_a_gpu_waits_for_the_first_to_finish(tmp_path):
    out = tmp_path / "out"
    env = {"FLUX_STUDIO_STANDIN_EXCLUSIVE": "1", "FLUX_STUDIO_STANDIN_STEP_MS": "20"}
    first = WorkerProcess(["--pipeline", "standin", "--outputs", str(out)], env=env)
    second = WorkerProcess(["--pipeline", "standin", "--outputs", str(out)], env=env)
    try:
        first.send(generate("old", steps=50))
        first.wait(lambda e: e.get("id") == "old" and e["event"] == "progress", 0, 60)
        second.wait(lambda e: e["event"] == "ready", 0, 60)  # ready at once, before any lock
        second.send(generate("new", steps=2))
        time.sleep(0.3)
        assert not second.events_of("new")  # waiting for the old worker, not loading
        assert first.close() == 0
        final, _ = second.until_final("new")
        assert final["event"] == "done"
    finally:
        first.kill()
        second.kill()
    journal = [json.loads(l)["id"] for l in (out / ".flux-studio-journal.jsonl").read_text().splitlines()]
    assert journal == ["old", "new"]


def test_bad_lines_and_unknown_types_do_not_stop_the_worker(worker):
    for line in ["{", "[]", '{"id":"n"}', '{"id":"n2","type":"generate","prompt":"x"}', "\t"]:
        worker.send(line)
    worker.send({"id": "ok", "type": "ping"})
    worker.next(lambda e: e.get("id") == "ok")
    errors = [e for e in worker.history if e["event"] == "error"]
    assert len(errors) == 4 and {e["code"] for e in errors} == {"bad_request"}
