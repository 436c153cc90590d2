import io
import json
import threading
from datetime import datetime

import pytest

from protocol import (
    CancelRequest,
    Emitter,
    GenerateRequest,
    PingRequest,
    ProtocolError,
    output_filename,
    parse_request,
    read_requests,
)

VALID = {
    "id": "r1",
    "type": "generate",
    "prompt": "a lighthouse at dusk, 35mm",
    "width": 1024,
    "height": 768,
    "steps": 20,
    "guidance": 3.5,
    "seed": 1234567890,
    "jpeg_quality": 95,
    "model": "flux-dev",
    "loras": [{"path": "/workspace/loras/p3r5on.safetensors", "scale": 0.8}],
}


def line(**changes):
    obj = {**VALID, **changes}
    return json.dumps({k: v for k, v in obj.items() if v is not ...})


def test_valid_generate_request_parses():
    req = parse_request(line())
    assert isinstance(req, GenerateRequest)
    assert (req.width, req.height, req.steps, req.seed, req.model) == (1024, 768, 20, 1234567890, "flux-dev")
    assert req.loras[0].scale == 0.8


def test_ping_and_cancel():
    assert parse_request('{"id":"p","type":"ping"}') == PingRequest(id="p")
    assert parse_request('{"id":"c","type":"cancel","target":"r1"}') == CancelRequest(id="c", target="r1")


@pytest.mark.parametrize(
    "changes, needle",
    [
        ({"width": 1000}, "width: 1000 is not a multiple of 16"),
        ({"height": 128}, "height: 128 is outside"),
        ({"steps": 0}, "steps"),
        ({"steps": True}, "steps: expected a number, got a boolean"),
        ({"guidance": "high"}, "guidance"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**32}, "seed"),
        ({"jpeg_quality": 101}, "jpeg_quality"),
        ({"model": "sdxl"}, "model: 'sdxl' is not one of"),
        ({"prompt": "   "}, "prompt: must not be empty"),
        ({"prompt": ...}, "prompt: missing"),
        ({"loras": [{"path": "x", "scale": 9}]}, "loras[0].scale"),
        ({"loras": "x"}, "loras"),
        ({"type": "shutdown"}, "unknown request type"),
    ],
)
def test_invalid_requests_name_the_field(changes, needle):
    with pytest.raises(ProtocolError) as info:
        parse_request(line(**changes))
    assert info.value.code == "bad_request"
    assert needle in info.value.message
    assert info.value.request_id == "r1"


@pytest.mark.parametrize("raw", ["not json", "[1,2]", '{"type":"ping"}', '{"id":"","type":"ping"}', b"\xff\xfe"])
def test_malformed_lines_are_errors_not_crashes(raw):
    with pytest.raises(ProtocolError):
        parse_request(raw)


def test_read_requests_keeps_going_after_a_bad_line():
    stream = io.BytesIO(b'{"id":"a","type":"ping"}\n\nnot json\n{"id":"b","type":"ping"}\n')
    out = list(read_requests(stream))
    assert [type(x).__name__ for x in out] == ["PingRequest", "ProtocolError", "PingRequest"]


def test_emitter_writes_one_json_object_per_line_even_from_threads():
    buf = io.StringIO()
    em = Emitter(buf)
    em.ready(worker="test")

    def spam(n):
        for i in range(200):
            em.progress(f"r{n}", i, 200, i * 0.1)

    threads = [threading.Thread(target=spam, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    em.done("r0", path="/workspace/outputs/x.jpg", seed=1)
    em.error("r1", "oom", "Out of GPU memory — try a smaller size.")
    lines = buf.getvalue().splitlines()
    assert len(lines) == 1 + 800 + 2
    events = [json.loads(l) for l in lines]
    assert events[0] == {"event": "ready", "protocol": 1, "worker": "test"}
    assert events[-1] == {"event": "error", "id": "r1", "code": "oom", "message": "Out of GPU memory — try a smaller size."}
    assert sum(1 for e in events if e["event"] == "progress") == 800


def test_emitter_refuses_nan():
    with pytest.raises(ValueError):
        Emitter(io.StringIO()).progress("r", 1, 2, float("nan"))


def test_output_filename_matches_the_shell_workflow():
    assert output_filename(datetime(2026, 11, 22, 9, 5, 7), 42) == "flux_20261122_090507_42.jpg"


def test_status_request():
    from protocol import StatusRequest

    assert parse_request('{"id":"s","type":"status"}') == StatusRequest(id="s")


@pytest.mark.parametrize(
    "changes, needle",
    [
        ({"prompt": "a \ud800 b"}, "prompt: contains an unpaired UTF-16 surrogate"),
        ({"loras": [{"path": "", "scale": 1}]}, "loras[0].path"),
        ({"loras": [{"path": "/x\x00.safetensors", "scale": 1}]}, "loras[0].path"),
    ],
)
def test_text_that_no_tokenizer_or_filesystem_takes_is_refused(changes, needle):
    with pytest.raises(ProtocolError) as info:
        parse_request(line(**changes))
    assert needle in info.value.message


def test_an_emitter_whose_reader_went_away_keeps_quiet():
    class Gone(io.StringIO):
        def write(self, s):
            raise BrokenPipeError(32, "Broken pipe")

    em = Emitter(Gone())
    em.progress("r", 1, 2, 0.1)  # no exception: the worker goes on making the image
    em.done("r", path="/x.jpg")
    assert em.broken
