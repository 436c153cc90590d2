#!/usr/bin/env bash
# flux-studio: installs ai-toolkit at a pinned commit into ITS OWN venv on a pod
# (docs/architecture.md, "Training"). ai-toolkit's pins (numpy 1.26, older diffusers,
# transformers, huggingface_hub) clash with the generation worker's, so installing them into the
# worker's venv breaks both; this script never touches any python but the one it creates.
#
#   bash install_ai_toolkit.sh --toolkit DIR --venv DIR --repo URL --commit SHA
#        [--torch-index auto|pypi|URL] [--diffusers SRC] -- torch==X torchvision==Y torchaudio==Z
#
# Follows ai-toolkit's README: torch, torchvision and torchaudio first (the build the driver
# supports: read from nvidia-smi), then requirements.txt, then `pip check`. Idempotent: the
# venv carries a key (commit + requirements + torch choice); the same key again is a no-op, so on
# a network volume a second install after a pod restart costs nothing. --diffusers replaces
# requirements' `git+…diffusers` line (tests: a local folder; github cannot be reached there).
# Progress lines start with "flux-studio-install:"; pip's own lines stream as they come.
set -euo pipefail
say() { echo "flux-studio-install: $*"; }
die() { echo "flux-studio-install: error: $*" >&2; exit 1; }

toolkit='' venv='' repo='' commit='' index=auto diffusers=''
while [ $# -gt 0 ]; do
  case "$1" in
    --toolkit) toolkit="$2"; shift 2 ;;
    --venv) venv="$2"; shift 2 ;;
    --repo) repo="$2"; shift 2 ;;
    --commit) commit="$2"; shift 2 ;;
    --torch-index) index="$2"; shift 2 ;;
    --diffusers) diffusers="$2"; shift 2 ;;
    --) shift; break ;;
    *) die "unknown argument $1" ;;
  esac
done
torch_pins=("$@")
[ -n "$toolkit" ] && [ -n "$venv" ] && [ -n "$repo" ] && [ -n "$commit" ] || die "usage: --toolkit DIR --venv DIR --repo URL --commit SHA -- torch pins"
[ ${#torch_pins[@]} -gt 0 ] || die "no torch pins given"

# 1. The source at the pinned commit.
if [ ! -d "$toolkit/.git" ]; then
  [ ! -e "$toolkit" ] || [ -z "$(ls -A "$toolkit" 2>/dev/null)" ] || die "$toolkit exists and is not a git checkout; move it away"
  say "[1/5] cloning ai-toolkit"
  git clone --quiet "$repo" "$toolkit"
fi
if [ "$(git -C "$toolkit" rev-parse HEAD 2>/dev/null)" != "$(git -C "$toolkit" rev-parse --verify --quiet "$commit^{commit}" 2>/dev/null || echo none)" ]; then
  if ! git -C "$toolkit" cat-file -e "$commit^{commit}" 2>/dev/null; then
    say "[1/5] fetching ai-toolkit"
    git -C "$toolkit" fetch --quiet origin
  fi
  say "[1/5] checking out ai-toolkit $commit"
  git -C "$toolkit" checkout --quiet --force "$commit"
fi

# 2. Which torch build: the driver decides (CUDA 13.0 wheels need driver >= 580, 12.8 >= 570).
if [ "$index" = auto ]; then
  driver="$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -n 1 | tr -d ' ' || true)"
  [ -n "$driver" ] || die "nvidia-smi found no NVIDIA driver: ai-toolkit trains on an NVIDIA GPU; pick a GPU pod"
  major="${driver%%.*}"
  if [ "$major" -ge 580 ]; then index=https://download.pytorch.org/whl/cu130
  elif [ "$major" -ge 570 ]; then index=https://download.pytorch.org/whl/cu128
  else die "NVIDIA driver $driver is too old for ${torch_pins[0]} (CUDA 12.8 builds need driver >= 570, CUDA 13.0 >= 580): pick a pod with a newer driver (RunPod: filter by CUDA version 12.8 or later)"
  fi
  say "[2/5] driver $driver: torch from $index"
else
  say "[2/5] torch from ${index}"
fi

# 3. Idempotence: what this venv was built from.
req_files=("$toolkit/requirements.txt")
[ -f "$toolkit/requirements_base.txt" ] && req_files+=("$toolkit/requirements_base.txt")
key="$( { git -C "$toolkit" rev-parse HEAD; cat "${req_files[@]}"; echo "${torch_pins[*]} $index $diffusers"; } | sha256sum | cut -c1-32)"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.flux-studio-install" 2>/dev/null)" = "$key" ]; then
  say "ai-toolkit $commit is already installed in $venv (key $key)"
  exit 0
fi

# 4. A fresh venv (a half-built or outdated one is replaced), torch first, then the requirements.
say "[3/5] creating $venv"
rm -rf "$venv"
python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check)
install=("${pip[@]}" install --progress-bar off)
"${install[@]}" --quiet --upgrade pip
say "[4/5] installing ${torch_pins[*]}"
if [ "$index" = pypi ]; then "${install[@]}" "${torch_pins[@]}"
else "${install[@]}" "${torch_pins[@]}" --index-url "$index"
fi
reqs="$toolkit/requirements.txt"
if [ -n "$diffusers" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  for f in "${req_files[@]}"; do
    sed -e "s#^git+https://github.com/huggingface/diffusers.git@.*#$diffusers#" -e "s#^-r requirements_base.txt#-r $tmp/requirements_base.txt#" "$f" > "$tmp/$(basename "$f")"
  done
  reqs="$tmp/requirements.txt"
fi
say "[5/5] installing ai-toolkit's requirements"
(cd "$toolkit" && "${install[@]}" -r "$reqs")
"${pip[@]}" check
echo "$key" > "$venv/.flux-studio-install"
say "ai-toolkit $commit installed in $venv (key $key)"
