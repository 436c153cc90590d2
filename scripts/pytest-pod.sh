#!/usr/bin/env bash
# pytest for the pod-side code (native/pod) in the pinned, cached venv.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$(bash "$here/scripts/pod-venv.sh")"
# Paths may be given from the repository root (native/fixtures/onnx/tests, native/pod/tests/x.py)
# or, as before, from native/pod (tests/x.py).
args=()
for a in "$@"; do
  if [[ "$a" != -* && ! -e "$here/native/pod/${a%%::*}" && -e "$here/${a%%::*}" ]]; then args+=("$here/$a"); else args+=("$a"); fi
done
cd "$here/native/pod"
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "${args[@]}"
