#!/usr/bin/env bash
# pytest for the pod-side code (native/pod) in the pinned, cached venv.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$(bash "$here/scripts/pod-venv.sh")"
cd "$here/native/pod"
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
