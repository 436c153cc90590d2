#!/usr/bin/env bash
# Builds (or reuses) the tiny WD14-style test tagger and prints its folder (model.onnx +
# selected_tags.csv). Cached outside the clone, keyed by the generator's hash.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${FLUX_STUDIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-studio}"
gen="$here/native/fixtures/tagger/make_tagger.py"
key="$(sha256sum "$gen" | cut -c1-16)"
out="$cache/tagger-$key"
if [ ! -f "$out/.complete" ]; then
  venv="$(bash "$here/scripts/pod-venv.sh")"
  rm -rf "$out"
  mkdir -p "$out"
  "$venv/bin/python" "$gen" "$out" >&2
  touch "$out/.complete"
fi
echo "$out"
