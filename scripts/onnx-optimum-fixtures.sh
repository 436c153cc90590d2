#!/usr/bin/env bash
# Builds (or reuses) the local runtime's "as users get them" fixtures and prints their folder:
# the tiny pipelines of scripts/onnx-fixtures.sh exported with the real `optimum-cli export onnx`
# (optimum-onnx, pinned in native/fixtures/onnx/requirements-optimum.txt) and fp16 copies
# (layout: native/fixtures/onnx/README.md). The diffusers references stay in the base fixtures.
# Cached under ~/.cache/flux-studio/onnx-optimum-<hash of the base folder, the script and the pins>;
# built only when missing (about a minute on 2 cores). Progress goes to stderr.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
src="$here/native/fixtures/onnx"
base="$(bash "$here/scripts/onnx-fixtures.sh")"
cache="${FLUX_STUDIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-studio}"
key="$( (echo "$base"; cat "$src/make_optimum_fixtures.py" "$src/requirements-optimum.txt" "$here/native/pod/requirements.txt") | sha256sum | cut -c1-16)"
out="$cache/onnx-optimum-$key"
if [ ! -f "$out/.complete" ]; then
  venv="$(bash "$here/scripts/optimum-venv.sh")"
  exec 9>"$cache/onnx-optimum-$key.lock"
  flock 9
  if [ ! -f "$out/.complete" ]; then
    tmp="$cache/onnx-optimum-$key.tmp-$$"
    rm -rf "$tmp"
    trap 'rm -rf "$tmp"' EXIT  # a failed or interrupted build leaves nothing behind
    "$venv/bin/python" "$src/make_optimum_fixtures.py" --base "$base" --out "$tmp" >&2
    rm -rf "$out"
    mv "$tmp" "$out"
    trap - EXIT
  fi
  flock -u 9
fi
echo "$out"
