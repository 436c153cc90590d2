#!/usr/bin/env bash
# Prepares a GPU host (a RunPod pod) for flux-studio: idempotent, re-running is a fast no-op.
#
#   bash bootstrap.sh --workspace DIR --model flux-dev|flux-schnell|none
#        [--python python3] [--requirements FILE] [--skip-gpu-check]
#        [--min-free-gb N] [--pip-arg ARG]...
#
# stdin: the Hugging Face token on the first line (may be empty). It is never taken from
# argv or the environment, never echoed, and lands in $WORKSPACE/.cache/token (mode 600),
# where huggingface_hub finds it with HF_HOME=$WORKSPACE/.cache. An empty line keeps a
# token stored before.
#
# Steps: GPU (nvidia-smi), Python >= 3.10, free disk (df), $WORKSPACE/.venv, the pinned
# requirements (default: requirements.txt beside this script; installed only when their
# hash differs from the marker in the venv), $WORKSPACE/flux-studio/env.sh (exports
# HF_HOME), then the model's diffusers files (fetch_model.py beside this script, in the
# venv: huggingface_hub.snapshot_download), unless a marker says a download completed.
# --pip-arg passes one argument to pip (repeatable; PIP_* environment variables work too),
# e.g. --pip-arg --no-index --pip-arg --find-links=/wheels.
#
# Output is line-oriented for the studio's UI; any other line is log text:
#   ::step <name> <message>      ::progress <done> <total> <message>
#   ::warn <message>             ::done              ::error <code> <message>
# Exit codes: 0 ok, 2 usage, 3 no GPU, 4 Python, 5 disk, 6 venv, 7 pip, 8 download,
# 9 gated model (token), 10 model not found, 11 busy (another bootstrap is running).
set -uo pipefail
umask 022

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace=""
model=""
python="python3"
requirements="$here/requirements.txt"
skip_gpu=0
min_free_gb=""
pip_args=()

fail() { # code exit-status message
  printf '::error %s %s\n' "$1" "$3"
  exit "$2"
}
step() { printf '::step %s %s\n' "$1" "$2"; }
warn() { printf '::warn %s\n' "$1"; }

need_value() { [ "$1" -ge 2 ] || fail usage 2 "$2 needs a value"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --workspace) need_value $# "$1"; workspace="$2"; shift 2 ;;
    --model) need_value $# "$1"; model="$2"; shift 2 ;;
    --python) need_value $# "$1"; python="$2"; shift 2 ;;
    --requirements) need_value $# "$1"; requirements="$2"; shift 2 ;;
    --skip-gpu-check) skip_gpu=1; shift ;;
    --min-free-gb) need_value $# "$1"; min_free_gb="$2"; shift 2 ;;
    --pip-arg) need_value $# "$1"; pip_args+=("$2"); shift 2 ;;
    *) fail usage 2 "unknown argument: $1 (see the header of bootstrap.sh)" ;;
  esac
done
[ -n "$workspace" ] || fail usage 2 "--workspace DIR is required"
case "$workspace" in /*) ;; *) fail usage 2 "--workspace must be an absolute path" ;; esac
case "$model" in
  flux-dev) repo="black-forest-labs/FLUX.1-dev" ;;
  flux-schnell) repo="black-forest-labs/FLUX.1-schnell" ;;
  none) repo="" ;;
  *) fail usage 2 "--model must be flux-dev, flux-schnell or none" ;;
esac
[ -f "$requirements" ] || fail usage 2 "requirements file not found: $requirements"
if [ -n "$min_free_gb" ] && ! [[ "$min_free_gb" =~ ^[0-9]+$ ]]; then fail usage 2 "--min-free-gb must be a whole number"; fi

venv="$workspace/.venv"
hf_home="$workspace/.cache"
studio_dir="$workspace/flux-studio"
marker="$venv/.flux-studio-requirements.sha256"
model_marker="$hf_home/flux-studio-models/$model.complete"

# ---- token (first line of stdin; never echoed, never on a command line)
token=""
if [ ! -t 0 ]; then
  IFS= read -r token || true
fi
token="${token//$'\r'/}"
token="${token#"${token%%[![:space:]]*}"}"
token="${token%"${token##*[![:space:]]}"}"
mkdir -p "$workspace" "$hf_home" "$studio_dir" || fail workspace 6 "cannot create $workspace"

# One bootstrap at a time per workspace.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$workspace/.flux-studio-bootstrap.lock"
  flock -n 9 || fail busy 11 "another bootstrap is running in $workspace; wait for it to finish"
fi

if [ -n "$token" ]; then
  if [[ ! "$token" =~ ^[A-Za-z0-9_.-]+$ ]]; then
    unset token
    fail token 2 "the Hugging Face token has unexpected characters; paste it again from huggingface.co/settings/tokens"
  fi
  tmp_token="$(mktemp "$hf_home/.token.XXXXXX")" || fail token 6 "cannot write in $hf_home"
  chmod 600 "$tmp_token"
  printf '%s' "$token" >"$tmp_token" && mv -f "$tmp_token" "$hf_home/token" || fail token 6 "cannot store the token in $hf_home"
  chmod 600 "$hf_home/token"
  step token "stored in $hf_home/token (mode 600)"
elif [ -f "$hf_home/token" ]; then
  chmod 600 "$hf_home/token"
  step token "none given; keeping the one stored before"
else
  step token "none given; only public models can be downloaded"
fi
unset token

# ---- GPU
if command -v nvidia-smi >/dev/null 2>&1 && gpu="$(nvidia-smi --query-gpu=name,memory.total,memory.used --format=csv,noheader,nounits 2>/dev/null | head -n1)" && [ -n "$gpu" ]; then
  IFS=',' read -r gpu_name gpu_total gpu_used <<<"$gpu"
  gpu_name="${gpu_name#"${gpu_name%%[![:space:]]*}"}"
  step gpu "$gpu_name, ${gpu_used// /} / ${gpu_total// /} MiB used"
elif [ "$skip_gpu" = 1 ]; then
  warn "no NVIDIA GPU found (nvidia-smi missing or failing); continuing because of --skip-gpu-check"
else
  fail no_gpu 3 "no NVIDIA GPU found (nvidia-smi missing or failing). Start the pod with a GPU, or pass --skip-gpu-check."
fi

# ---- Python
if ! command -v "$python" >/dev/null 2>&1; then
  fail python 4 "$python not found; install Python 3.10 or newer (or pass --python PATH)"
fi
pyver="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null)" || fail python 4 "$python does not run"
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
  fail python 4 "Python $pyver is too old; 3.10 or newer is needed"
fi
step python "$python $pyver"

# ---- what is left to do, and the disk it needs
req_hash="$( (cat "$requirements"; printf '%s\n' "${pip_args[@]+"${pip_args[@]}"}") | sha256sum | cut -c1-64)"
need_deps=1
if [ -x "$venv/bin/python" ] && [ -f "$marker" ] && [ "$(cat "$marker")" = "$req_hash" ]; then need_deps=0; fi
need_model=0
if [ -n "$repo" ]; then
  need_model=1
  if [ -f "$model_marker" ] && snap="$(cat "$model_marker")" && [ -f "$snap/model_index.json" ]; then need_model=0; fi
fi
if [ -n "$min_free_gb" ]; then
  need_gb="$min_free_gb"
else
  need_gb=$((need_deps * 10 + need_model * 36)) # torch+CUDA wheels ~8 GB; FLUX diffusers files ~34 GB
fi
free_kb="$(df -Pk "$workspace" | awk 'NR==2 {print $4}')"
free_gb=$((free_kb / 1024 / 1024))
if [ "$need_gb" -gt 0 ] && [ "$free_gb" -lt "$need_gb" ]; then
  fail disk 5 "only $free_gb GB free in $workspace, $need_gb GB needed; enlarge the pod's volume or free space"
fi
step disk "$free_gb GB free in $workspace"

# ---- venv + pinned requirements
if [ ! -x "$venv/bin/python" ]; then
  step venv "creating $venv"
  "$python" -m venv "$venv" 2>&1 || fail venv 6 "could not create $venv (is the python3-venv package installed?)"
else
  step venv "$venv exists"
fi
if [ "$need_deps" = 1 ]; then
  step deps "installing the pinned requirements (this takes a while the first time)"
  rm -f "$marker"
  "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off \
    -r "$requirements" "${pip_args[@]+"${pip_args[@]}"}" 2>&1 || fail pip 7 "pip could not install the pinned requirements (see the log above)"
  printf '%s' "$req_hash" >"$marker"
  step deps "installed"
else
  step deps "up to date"
fi

# ---- env.sh for the worker
{
  printf '# Written by flux-studio bootstrap.sh; sourced before the worker starts.\n'
  printf 'export HF_HOME=%q\n' "$hf_home"
} >"$studio_dir/env.sh.tmp" && mv -f "$studio_dir/env.sh.tmp" "$studio_dir/env.sh" || fail workspace 6 "cannot write $studio_dir/env.sh"
step env "$studio_dir/env.sh"

# ---- model
if [ -z "$repo" ]; then
  step model "skipped (--model none)"
elif [ "$need_model" = 0 ]; then
  step model "$repo already downloaded"
else
  step model "downloading $repo into $hf_home"
  mkdir -p "$(dirname "$model_marker")"
  [ -f "$here/fetch_model.py" ] || fail download 8 "fetch_model.py is missing beside bootstrap.sh"
  # The stored token is the studio's: a token from the pod's environment must not shadow it.
  unset_env=()
  if [ -f "$hf_home/token" ]; then unset_env=(-u HF_TOKEN -u HUGGING_FACE_HUB_TOKEN); fi
  env "${unset_env[@]+"${unset_env[@]}"}" HF_HOME="$hf_home" "$venv/bin/python" "$here/fetch_model.py" "$repo" "$model_marker" 2>&1
  status=$?
  [ "$status" = 0 ] || exit "$status"
fi

printf '::done\n'
