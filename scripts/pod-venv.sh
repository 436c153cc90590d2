#!/usr/bin/env bash
# Creates (or reuses) the Python venv for the pod-side code's tests and prints its path.
# torch from PyPI is GBs, so the venv lives in a cache outside the clone, keyed by the
# hash of the pinned requirements: unchanged pins reuse it, changed pins build a new one.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${FLUX_STUDIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-studio}"
key="$(cat "$here/native/pod/requirements.txt" "$here/native/pod/requirements-dev.txt" | sha256sum | cut -c1-16)"
venv="$cache/pod-venv-$key"
if [ ! -f "$venv/.complete" ]; then
  rm -rf "$venv"
  mkdir -p "$cache"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/native/pod/requirements-dev.txt" >&2
  touch "$venv/.complete"
  # Venvs for older pins are GBs each: keep only the current one.
  find "$cache" -maxdepth 1 -name 'pod-venv-*' ! -path "$venv" -exec rm -rf {} + 2>/dev/null || true
fi
echo "$venv"
