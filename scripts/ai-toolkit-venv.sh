#!/usr/bin/env bash
# Builds (once) the real ai-toolkit, at the studio's pinned commit, for the training tests,
# and prints two lines: the ai-toolkit folder, then the venv's python.
#
# GitHub cannot be reached here, so the sources come from ../shared/vendor (or
# $FLUX_STUDIO_VENDOR): ai-toolkit unpacked outside the clone with the vendored CPU-only patch
# applied (machines without CUDA die at import otherwise), diffusers from the vendored folder
# in place of requirements_base.txt's `git+` line, torch/torchvision/torchaudio first at the
# versions ai-toolkit's README names (PyPI's wheels run on the CPU). ai-toolkit's pins clash
# with the pod worker's, so it gets its own venv (docs/architecture.md, "Training").
# Everything lives in a cache keyed by what it was built from; ~2 min and ~6.4 GB the first time.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
vendor="${FLUX_STUDIO_VENDOR:-$here/../shared/vendor}"
cache="${FLUX_STUDIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-studio}"
commit=27a03a91f23e
toolkit_tgz="$vendor/ai-toolkit-$commit.tar.gz"
diffusers_tgz="$vendor/diffusers-c943837899b1.tar.gz"
patch_file="$vendor/ai-toolkit-cpu-only.patch"
torch_pins=(torch==2.13.0 torchvision==0.28.0 torchaudio==2.11.0)
for f in "$toolkit_tgz" "$diffusers_tgz" "$patch_file"; do
  [ -f "$f" ] || { echo "ai-toolkit-venv: $f is missing (../shared/vendor beside the checkout, or set FLUX_STUDIO_VENDOR)" >&2; exit 1; }
done

key="$( { sha256sum "$toolkit_tgz" "$diffusers_tgz" "$patch_file" "$0" | cut -d' ' -f1; echo "${torch_pins[*]}"; python3 --version; } | sha256sum | cut -c1-16)"
root="$cache/ai-toolkit-$key"
toolkit="$root/ai-toolkit"
venv="$root/venv"

if [ ! -f "$root/.complete" ]; then
  rm -rf "$root"
  mkdir -p "$root"
  echo "ai-toolkit-venv: unpacking ai-toolkit $commit and diffusers into $root" >&2
  tar -xzf "$toolkit_tgz" -C "$root"
  tar -xzf "$diffusers_tgz" -C "$root"
  (cd "$toolkit" && patch -p1 --quiet < "$patch_file")
  diffusers_dir="$(find "$root" -maxdepth 1 -type d -name 'diffusers-*' | head -n 1)"
  # The one `git+` line becomes the vendored folder; every other pin is ai-toolkit's own.
  sed "s#^git+https://github.com/huggingface/diffusers.git@.*#$diffusers_dir#" "$toolkit/requirements_base.txt" > "$root/requirements_base.local.txt"
  sed "s#^-r requirements_base.txt#-r $root/requirements_base.local.txt#" "$toolkit/requirements.txt" > "$root/requirements.local.txt"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip >&2
  echo "ai-toolkit-venv: installing ${torch_pins[*]}" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${torch_pins[@]}" >&2
  echo "ai-toolkit-venv: installing ai-toolkit's requirements" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/requirements.local.txt" >&2
  "$venv/bin/pip" check >&2
  touch "$root/.complete"
  # Builds from older sources are GBs each: keep only this one.
  find "$cache" -maxdepth 1 -name 'ai-toolkit-*' ! -path "$root" -exec rm -rf {} + 2>/dev/null || true
fi
echo "$toolkit"
echo "$venv/bin/python"
