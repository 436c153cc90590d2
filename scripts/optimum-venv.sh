#!/usr/bin/env bash
# Creates (or reuses) the venv with Hugging Face's real ONNX exporter (optimum-cli, pinned in
# native/fixtures/onnx/requirements-optimum.txt) and prints its path. optimum-onnx pins an
# older transformers than the pod's, so it gets its own venv; torch (GBs), onnx and onnxruntime
# come from the pod venv through a .pth file instead of a second download. Cached outside the
# clone, keyed by both venvs' pins, like scripts/pod-venv.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${FLUX_STUDIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-studio}"
pod="$(bash "$here/scripts/pod-venv.sh")"
key="$(cat "$here/native/fixtures/onnx/requirements-optimum.txt" "$here/native/pod/requirements.txt" "$here/native/pod/requirements-dev.txt" | sha256sum | cut -c1-16)"
venv="$cache/optimum-venv-$key"
if [ ! -f "$venv/.complete" ]; then
  mkdir -p "$cache"
  exec 8>"$cache/optimum-venv-$key.lock"
  flock 8
  if [ ! -f "$venv/.complete" ]; then
    rm -rf "$venv"
    "$pod/bin/python" -m venv "$venv" >&2
    site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    "$pod/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' >"$site/flux-studio-pod-venv.pth"
    # The pod venv's newer transformers/diffusers/hub stay visible behind these pins; pip
    # warns about the pod's diffusers wanting a newer hub, which this venv never imports.
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/native/fixtures/onnx/requirements-optimum.txt" >&2 2> >(grep -v "dependency resolver\|diffusers 0.42.1 requires\|^$" >&2)
    touch "$venv/.complete"
    find "$cache" -maxdepth 1 -name 'optimum-venv-*' ! -name "optimum-venv-$key*" -exec rm -rf {} + 2>/dev/null || true
  fi
  flock -u 8
fi
echo "$venv"
