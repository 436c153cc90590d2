"""Downloads a FLUX model's diffusers files into the Hugging Face cache, with progress.

    HF_HOME=<workspace>/.cache <venv>/bin/python fetch_model.py REPO_ID MARKER_FILE

Run by bootstrap.sh in the pod's venv. Only the diffusers layout is fetched (FLUX.1-dev
also ships a 24 GB single-file checkpoint that the worker never reads). The token is the
one huggingface_hub finds in $HF_HOME/token; it is never on a command line.

Output, line-oriented like bootstrap.sh:
    ::progress <bytes done> <bytes total> downloading <repo>    (about once a second)
    ::step model downloaded to <snapshot folder>
    ::error <gated|model_missing|download> <message>
Exit: 0 ok, 8 download failed, 9 gated (token), 10 not found.
On success MARKER_FILE names the snapshot folder, so bootstrap.sh skips the next time.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

PATTERNS = ["model_index.json", "scheduler/*", "text_encoder/*", "text_encoder_2/*", "tokenizer/*", "tokenizer_2/*", "transformer/*", "vae/*"]


def out(line: str) -> None:
    print(line, flush=True)


def first_line(e: BaseException) -> str:
    text = str(e).strip()
    return f"{type(e).__name__}: {text.splitlines()[0][:300]}" if text else type(e).__name__


def blobs_size(folder: Path) -> int:
    total = 0
    try:
        for entry in os.scandir(folder):
            try:
                total += entry.stat(follow_symlinks=False).st_size
            except OSError:
                pass
    except OSError:
        pass
    return total


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        out("::error usage fetch_model.py REPO_ID MARKER_FILE")
        return 2
    repo, marker = argv
    try:
        from huggingface_hub import HfApi, snapshot_download
        from huggingface_hub import constants
        from huggingface_hub import errors as hf
        from huggingface_hub.hf_api import RepoFile
        from huggingface_hub.utils import filter_repo_objects
    except ImportError as e:
        out(f"::error download huggingface_hub is missing from the venv ({e})")
        return 8

    gated_msg = (
        f"::error gated {repo} is gated: accept its licence at https://huggingface.co/{repo} with your Hugging Face "
        "account, then give the studio a token with read access (huggingface.co/settings/tokens) and prepare the pod again"
    )

    def mapped(e: BaseException) -> int:
        if isinstance(e, hf.GatedRepoError):
            out(gated_msg)
            return 9
        status = getattr(getattr(e, "response", None), "status_code", None)
        if isinstance(e, hf.RepositoryNotFoundError):
            if status == 401:
                out(f"::error gated the Hugging Face Hub wants a valid token for {repo} (HTTP 401); set a token with read access and prepare the pod again")
                return 9
            out(f"::error model_missing {repo} was not found on the Hugging Face Hub (or the token cannot see it)")
            return 10
        if isinstance(e, hf.HfHubHTTPError) and status in (401, 403):
            out(f"::error gated the Hugging Face Hub refused the token for {repo} (HTTP {status}); check the token and its access to the model")
            return 9
        out(f"::error download could not download {repo}: {first_line(e)}")
        return 8

    # The size of what is to come (and the gated/not-found answer, before anything is written).
    try:
        tree = [f for f in HfApi().list_repo_tree(repo, recursive=True) if isinstance(f, RepoFile)]
    except Exception as e:  # noqa: BLE001 - every failure becomes an ::error line
        return mapped(e)
    wanted = {f.path: f for f in filter_repo_objects(tree, allow_patterns=PATTERNS, key=lambda f: f.path)}
    if "model_index.json" not in wanted:
        out(f"::error model_missing {repo} has no model_index.json: not a diffusers model repository")
        return 10
    total = sum((f.lfs.size if f.lfs is not None else f.size) or 0 for f in wanted.values())

    blobs = Path(constants.HF_HUB_CACHE) / ("models--" + repo.replace("/", "--")) / "blobs"
    stop = threading.Event()

    def report() -> None:
        last = -1
        while not stop.wait(1.0):
            done = min(blobs_size(blobs), total)
            if done != last:
                out(f"::progress {done} {total} downloading {repo}")
                last = done

    reporter = threading.Thread(target=report, daemon=True)
    reporter.start()
    try:
        path = snapshot_download(repo_id=repo, allow_patterns=PATTERNS)
    except Exception as e:  # noqa: BLE001
        stop.set()
        return mapped(e)
    stop.set()
    reporter.join()
    if not os.path.isfile(os.path.join(path, "model_index.json")):
        out(f"::error download {repo}: the download finished without model_index.json")
        return 8
    out(f"::progress {total} {total} downloading {repo}")
    tmp = marker + ".tmp"
    os.makedirs(os.path.dirname(os.path.abspath(marker)), exist_ok=True)
    with open(tmp, "w") as f:
        f.write(path)
    os.replace(tmp, marker)
    out(f"::step model downloaded to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
