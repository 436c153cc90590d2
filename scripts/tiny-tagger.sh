#!/usr/bin/env bash
# Builds (or reuses) the tiny WD14-style test tagger and prints its folder (model.onnx +
# selected_tags.csv). Cached outside the clone, keyed by the generator's hash. Built in a
# private folder and renamed into place, so test files running in parallel never see half.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${FLUX_STUDIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-studio}"
gen="$here/native/fixtures/tagger/make_tagger.py"
key="$(sha256sum "$gen" | cut -c1-16)"
out="$cache/tagger-$key"
if [ ! -f "$out/.complete" ]; then
  venv="$(bash "$here/scripts/pod-venv.sh")"
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/.tagger-$key.XXXXXX")"
  "$venv/bin/python" "$gen" "$tmp" >&2
  touch "$tmp/.complete"
  # Another run may have won the race: keep its folder, drop ours.
  if ! mv -T "$tmp" "$out" 2>/dev/null; then
    rm -rf "$tmp"
    if [ ! -f "$out/.complete" ]; then
      # A stale, incomplete folder from an interrupted older script: replace it.
      rm -rf "$out"
      bash "$0" >/dev/null
    fi
  fi
fi
echo "$out"
