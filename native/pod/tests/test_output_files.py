"""worker.write_jpeg in-process: generated names only, never clobbering, atomic, and the
fallback for volumes without hard links (some network volumes)."""

from __future__ import annotations

import errno
import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from protocol import GenerateRequest, Lora
from worker import write_jpeg

NOW = datetime(2026, 11, 22, 9, 5, 7)


def request(**changes) -> GenerateRequest:
    base = dict(id="r", prompt="../../etc/passwd; $(id)", width=256, height=256, steps=1, guidance=3.5, seed=42, jpeg_quality=90, model="flux-dev", loras=(Lora("/x/y.safetensors", 0.5),))
    base.update(changes)
    return GenerateRequest(**base)


def image(color=(10, 20, 30)) -> Image.Image:
    return Image.new("RGB", (256, 256), color)


def test_names_come_from_time_and_seed_and_never_overwrite(tmp_path):
    paths = [write_jpeg(image((i * 40, 0, 0)), tmp_path, request(), NOW)[0] for i in range(3)]
    assert [p.name for p in paths] == ["flux_20261122_090507_42.jpg", "flux_20261122_090508_42.jpg", "flux_20261122_090509_42.jpg"]
    assert all(p.parent == tmp_path for p in paths)
    reds = []
    for p in paths:
        with Image.open(p) as im:
            reds.append(im.getpixel((5, 5))[0])
    assert reds[0] < reds[1] < reds[2]  # three different images, none overwritten
    assert sorted(os.listdir(tmp_path)) == sorted(p.name for p in paths)  # no temp files left


def test_the_jpeg_records_the_request_and_size_and_hash_match(tmp_path):
    import hashlib

    path, size, digest = write_jpeg(image(), tmp_path / "made" / "here", request(), NOW)
    data = path.read_bytes()
    assert size == len(data) and digest == hashlib.sha256(data).hexdigest()
    with Image.open(path) as im:
        record = json.loads(im.info["comment"])
    assert record["prompt"] == "../../etc/passwd; $(id)" and record["loras"] == [{"path": "/x/y.safetensors", "scale": 0.5}]


def test_a_huge_prompt_is_left_out_of_the_comment_but_hashed(tmp_path):
    prompt = "x" * 70000
    path, _, _ = write_jpeg(image(), tmp_path, request(prompt=prompt), NOW)
    with Image.open(path) as im:
        record = json.loads(im.info["comment"])
    assert "prompt" not in record and len(record["prompt_sha256"]) == 64


def test_without_hard_links_the_name_is_reserved_then_replaced(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    first, _, _ = write_jpeg(image((200, 0, 0)), tmp_path, request(), NOW)
    second, _, _ = write_jpeg(image((0, 200, 0)), tmp_path, request(), NOW)
    assert first.name == "flux_20261122_090507_42.jpg" and second.name == "flux_20261122_090508_42.jpg"
    with Image.open(first) as a, Image.open(second) as b:
        assert a.getpixel((1, 1))[0] > 150 and b.getpixel((1, 1))[1] > 150
    assert sorted(os.listdir(tmp_path)) == [first.name, second.name]


@pytest.mark.parametrize("seed", [0, 4294967295])
def test_any_valid_seed_gives_a_plain_file_name(tmp_path, seed):
    path, _, _ = write_jpeg(image(), tmp_path, request(seed=seed), NOW)
    assert path == Path(tmp_path) / f"flux_20261122_090507_{seed}.jpg"
