#!/usr/bin/env bash
# Builds (or reuses) the local runtime's ONNX test fixtures and prints their folder:
# tiny random-weight FLUX-schnell / FLUX-dev / SD-Turbo / SDXL-Turbo pipelines, their ONNX exports,
# diffusers reference runs and schedules (layout: native/fixtures/onnx/README.md).
# Cached under ~/.cache/flux-studio/onnx-fixtures-<hash of the fixture scripts + the pod venv pins>;
# built only when missing or incomplete (a few minutes on 2 cores). Progress goes to stderr.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
src="$here/native/fixtures/onnx"
cache="${FLUX_STUDIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-studio}"
key="$( (cd "$src" && cat make_fixtures.py tiny_models.py export_onnx.py references.py ../clip_bpe.py ../t5_tokenizer.py) \
  | cat - "$here/native/pod/requirements.txt" "$here/native/pod/requirements-dev.txt" | sha256sum | cut -c1-16)"
out="$cache/onnx-fixtures-$key"
if [ ! -f "$out/.complete" ]; then
  venv="$(bash "$here/scripts/pod-venv.sh")"
  mkdir -p "$cache"
  # One builder at a time (several worktrees may ask at once); the others wait and reuse.
  exec 9>"$cache/onnx-fixtures-$key.lock"
  flock 9
  if [ ! -f "$out/.complete" ]; then
    tmp="$cache/onnx-fixtures-$key.tmp-$$"
    rm -rf "$tmp"
    trap 'rm -rf "$tmp"' EXIT  # a failed or interrupted build leaves nothing behind
    "$venv/bin/python" "$src/make_fixtures.py" --out "$tmp" >&2
    rm -rf "$out"
    mv "$tmp" "$out"
    trap - EXIT
  fi
  flock -u 9
fi
echo "$out"
