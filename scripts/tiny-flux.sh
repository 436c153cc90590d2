#!/usr/bin/env bash
# Builds the tiny random-weight FLUX.1-dev/-schnell pipelines + LoRA (native/fixtures/tiny_flux.py)
# in the pod venv and prints the folder. Built once into
# ${FLUX_STUDIO_CACHE:-~/.cache/flux-studio}/tiny-flux-<hash of tiny_flux.py + pod pins>;
# with OUTDIR, that build is copied to OUTDIR and OUTDIR is printed.
# The folder holds flux-dev/, flux-schnell/, loras/tiny-lora.safetensors and tiny-flux.json
# (a manifest naming the three paths).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$(bash "$here/scripts/pod-venv.sh")"
exec "$venv/bin/python" "$here/native/fixtures/tiny_flux.py" "${1:---cached}"
