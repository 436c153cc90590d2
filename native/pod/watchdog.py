"""The on-pod idle watchdog: stops a RunPod pod nobody is using (docs/architecture.md, "RunPod: the idle watchdog").

    python3 watchdog.py arm    --workspace W [--idle-minutes N | --idle-seconds S] [--api-base URL]
                               [--env-file FILE] [--tick S]
    python3 watchdog.py status --workspace W
    python3 watchdog.py extend --workspace W (--minutes M | --seconds S)
    python3 watchdog.py touch  --workspace W
    python3 watchdog.py disarm --workspace W
    python3 watchdog.py run    --workspace W          (the daemon; `arm` starts it)

Standard library only: it runs with the pod's python3 (or the worker's venv python). Every
command but `run` and `touch` prints the status as one JSON line (the studio's WatchdogStatus:
armed, idleMinutes, deadline, lastActivity, note, readAt; plus idleSeconds).

`arm` writes the settings and starts the daemon detached (own session, stdio on the log), so
it outlives the SSH session, a sleeping laptop and a crashed studio. One daemon per
workspace: it holds an flock on watchdog.lock for its lifetime; arming again only replaces
the settings (the daemon re-reads them every tick). Arming counts as activity.

Activity (each resets the countdown to N idle minutes):
  - the marker file `activity` is touched: by the worker on every request and every few
    seconds while it generates (worker.py --activity), by the studio while one of its jobs
    works on the pod (pod-watchdog.ts touch), and by `arm`;
  - a studio training is running: a `<W>/trainings/*/pid` names a live process group with
    no `exit_code` yet and a member that is the run's (run_job.sh, or an argument inside the
    run folder). The watchdog never stops a pod while one runs; the countdown starts when it
    ends;
  - the studio is preparing the pod: a process runs `<W>/flux-studio/bootstrap.sh` or
    `install_ai_toolkit.sh`.
An open studio that does nothing on the pod does not keep it alive (and an SSH session alone
is not activity): the studio shows the countdown and can `extend` it.

At the deadline the daemon stops the pod through RunPod's API from inside the pod:
POST {api_base}/v2/pods/{RUNPOD_POD_ID}/action {"action":"stop"} with
`Authorization: Bearer $RUNPOD_API_KEY` (the pod-scoped key RunPod injects). The id, key and
base come from the environment, else from the env file (default /etc/rp_environment, which
exec sessions do not source); the base from --api-base, else RUNPOD_API_BASE, else
https://api.runpod.io. When the API fails and `runpodctl` is on PATH, `runpodctl stop pod <id>`
is tried (key in its environment). The key is never on a command line or in the log. A failed
stop is retried every 30 s; a successful one ends the daemon.

Files in <W>/flux-studio/watchdog/: settings.json, state.json (what the daemon last saw and
did), activity (the marker), watchdog.lock (pid), watchdog.log.
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

DEFAULT_IDLE_MINUTES = 15
DEFAULT_API_BASE = "https://api.runpod.io"
DEFAULT_ENV_FILE = "/etc/rp_environment"
DEFAULT_TICK_SECONDS = 15.0
STOP_RETRY_SECONDS = 30.0
HTTP_TIMEOUT_SECONDS = 30.0
LOG_MAX_BYTES = 1 << 20
BUSY_SCRIPTS = ("bootstrap.sh", "install_ai_toolkit.sh")


# ----------------------------------------------------------------------------------------
# Time and files


def iso(t: float | None) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Files:
    workspace: Path
    dir: Path
    settings: Path
    state: Path
    activity: Path
    lock: Path
    log: Path
    trainings: Path
    pod_dir: Path


def files_for(workspace: str) -> Files:
    ws = Path(os.path.abspath(workspace))
    pod_dir = ws / "flux-studio"
    d = pod_dir / "watchdog"
    return Files(ws, d, d / "settings.json", d / "state.json", d / "activity", d / "watchdog.lock", d / "watchdog.log", ws / "trainings", pod_dir)


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Atomic (temp + rename), so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8"):
        pass
    os.utime(path, None)


def mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def log(f: Files, message: str) -> None:
    try:
        f.dir.mkdir(parents=True, exist_ok=True)
        if (mtime(f.log) is not None) and f.log.stat().st_size > LOG_MAX_BYTES:
            keep = f.log.read_bytes()[-LOG_MAX_BYTES // 2 :]
            f.log.write_bytes(keep)
        with open(f.log, "a", encoding="utf-8") as out:
            out.write(f"{iso(time.time())} [{os.getpid()}] {message}\n")
    except OSError:
        pass


# ----------------------------------------------------------------------------------------
# What runs on the pod: studio trainings and preparation scripts (from /proc)


@dataclass(frozen=True)
class Proc:
    pid: int
    pgrp: int
    state: str
    argv: tuple[str, ...]


def processes() -> list[Proc]:
    out: list[Proc] = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="latin-1") as s:
                stat = s.read()
            with open(f"/proc/{name}/cmdline", "rb") as c:
                argv = tuple(a.decode("utf-8", "replace") for a in c.read().split(b"\0") if a)
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) < 3:
            continue
        out.append(Proc(int(name), int(fields[2]), fields[0], argv))
    return out


def _real(p: str) -> str:
    try:
        return os.path.realpath(p)
    except (OSError, ValueError):
        return p


def live_trainings(f: Files, procs: list[Proc]) -> list[str]:
    """Names of the studio's training runs with a live process (docs/architecture.md, "Training":
    the launcher writes <run>/pid = the process group of run_job.sh, and <run>/exit_code at the end)."""
    try:
        runs = sorted(p for p in f.trainings.iterdir() if p.is_dir())
    except OSError:
        return []
    by_group: dict[int, list[Proc]] = {}
    for p in procs:
        if p.state not in ("Z", "X"):
            by_group.setdefault(p.pgrp, []).append(p)
    alive: list[str] = []
    for run in runs:
        try:
            pid = int((run / "pid").read_text().strip())
        except (OSError, ValueError):
            continue
        if pid <= 1 or (run / "exit_code").exists():
            continue
        run_real = _real(str(run)) + os.sep
        # The group's pid could have been reused after a pod restart: count it only when a
        # member is this run's (run_job.sh, or an argument inside the run folder).
        for p in by_group.get(pid, []):
            if any(os.path.basename(a) == "run_job.sh" or (a.startswith("/") and _real(a).startswith(run_real)) for a in p.argv):
                alive.append(run.name)
                break
    return alive


def busy_scripts(f: Files, procs: list[Proc]) -> list[str]:
    """The studio's preparation scripts running in this workspace (bootstrap, ai-toolkit install)."""
    wanted = {_real(str(f.pod_dir / s)): s for s in BUSY_SCRIPTS}
    found: set[str] = set()
    for p in procs:
        if p.state in ("Z", "X"):
            continue
        for a in p.argv[:3]:
            if a.startswith("/") and a.endswith(".sh"):
                name = wanted.get(_real(a))
                if name:
                    found.add(name)
    return sorted(found)


# ----------------------------------------------------------------------------------------
# The decision (pure)


@dataclass(frozen=True)
class Decision:
    deadline: float | None
    note: str | None
    stop: bool


def decide(now: float, idle_seconds: float, last_activity: float | None, extend_until: float | None, trainings: list[str], busy: list[str]) -> Decision:
    """When the pod stops. A live training holds the countdown (no deadline); preparation
    scripts count as activity now; otherwise the deadline is the last activity plus the idle
    time, or the extension if that is later."""
    if trainings:
        return Decision(None, f"training running ({', '.join(trainings)}): the pod is not stopped while it runs", False)
    if busy:
        return Decision(now + idle_seconds, f"preparing the pod ({', '.join(busy)} running)", False)
    base = last_activity if last_activity is not None else now
    deadline = base + idle_seconds
    if extend_until is not None and extend_until > deadline:
        deadline = extend_until
    return Decision(deadline, None, now >= deadline)


# ----------------------------------------------------------------------------------------
# Settings


def load_settings(f: Files) -> dict[str, Any]:
    s = read_json(f.settings) or {}
    idle = s.get("idleSeconds")
    if not isinstance(idle, (int, float)) or idle <= 0:
        s["idleSeconds"] = DEFAULT_IDLE_MINUTES * 60
    tick = s.get("tickSeconds")
    if not isinstance(tick, (int, float)) or tick <= 0:
        s["tickSeconds"] = DEFAULT_TICK_SECONDS
    return s


def idle_minutes(idle_seconds: float) -> int:
    return max(1, math.ceil(idle_seconds / 60 - 1e-9))


# ----------------------------------------------------------------------------------------
# The lock: one daemon per workspace


def daemon_pid(f: Files) -> int | None:
    """The running daemon's pid, or None when none holds the lock."""
    try:
        fd = os.open(f.lock, os.O_RDONLY)
    except OSError:
        return None
    try:
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # held: a daemon runs
        except OSError as e:
            if e.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                raise
            return _pid_if_ours(f)  # no flock on this file system: trust the pid file
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        return _pid_from_lock(f) or -1
    finally:
        os.close(fd)


def _pid_from_lock(f: Files) -> int | None:
    try:
        n = int(f.lock.read_text().strip())
        return n if n > 1 else None
    except (OSError, ValueError):
        return None


def _pid_if_ours(f: Files) -> int | None:
    pid = _pid_from_lock(f)
    if pid is None:
        return None
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    ours = any(a.endswith(b"watchdog.py") for a in argv) and str(f.workspace).encode() in argv
    return pid if ours else None


def take_lock(f: Files) -> int | None:
    """The daemon's lock fd (kept open for its lifetime), or None when another daemon holds it."""
    import fcntl

    f.dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(f.lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except OSError as e:
        if e.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
            raise
        if _pid_if_ours(f) not in (None, os.getpid()):
            os.close(fd)
            return None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


# ----------------------------------------------------------------------------------------
# Stopping the pod


def read_env_file(path: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    if not path:
        return out
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return out
    for line in text.splitlines():
        m = re.match(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        if not m:
            continue
        value = m.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = re.sub(r'\\(.)', r'\1', value[1:-1])
        elif len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
        out[m.group(1)] = value
    return out


@dataclass(frozen=True)
class Credentials:
    pod_id: str | None
    key: str | None
    api_base: str


def credentials(settings: dict[str, Any]) -> Credentials:
    file_env = read_env_file(settings.get("envFile") or DEFAULT_ENV_FILE)

    def get(name: str) -> str | None:
        v = os.environ.get(name) or file_env.get(name)
        return v.strip() if v and v.strip() else None

    base = settings.get("apiBase") or get("RUNPOD_API_BASE") or DEFAULT_API_BASE
    return Credentials(get("RUNPOD_POD_ID"), get("RUNPOD_API_KEY"), str(base).rstrip("/"))


def stop_via_api(c: Credentials) -> tuple[bool, str]:
    if not c.pod_id:
        return False, "RUNPOD_POD_ID is not set on this pod"
    if not c.key:
        return False, "RUNPOD_API_KEY is not set on this pod"
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", c.pod_id):
        return False, f"RUNPOD_POD_ID {c.pod_id!r} is not a pod id"
    url = f"{c.api_base}/v2/pods/{c.pod_id}/action"
    req = urllib.request.Request(
        url,
        data=json.dumps({"action": "stop"}).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {c.key}", "Content-Type": "application/json", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT_SECONDS) as r:
            return True, f"POST {url}: {r.status}"
    except urllib.error.HTTPError as e:
        if e.code == 409:  # not a valid transition now: already stopping or stopped
            return True, f"POST {url}: 409 (already stopped or stopping)"
        detail = ""
        try:
            detail = e.read(500).decode("utf-8", "replace").replace(c.key, "***")
        except OSError:
            pass
        return False, f"POST {url}: HTTP {e.code} {detail}".strip()
    except (urllib.error.URLError, OSError, ValueError) as e:
        return False, f"POST {url}: {e}".replace(c.key, "***")


def stop_via_runpodctl(c: Credentials) -> tuple[bool, str] | None:
    exe = shutil.which("runpodctl")
    if exe is None or not c.pod_id:
        return None
    env = dict(os.environ)
    if c.key:
        env["RUNPOD_API_KEY"] = c.key  # in its environment, never its argv
    try:
        r = subprocess.run([exe, "stop", "pod", c.pod_id], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"runpodctl: {e}"
    text = (r.stdout + r.stderr).strip()[:300]
    if c.key:
        text = text.replace(c.key, "***")
    return r.returncode == 0, f"runpodctl stop pod {c.pod_id}: exit {r.returncode} {text}".strip()


def stop_pod(settings: dict[str, Any]) -> tuple[bool, str]:
    c = credentials(settings)
    ok, what = stop_via_api(c)
    if ok:
        return True, what
    fallback = stop_via_runpodctl(c)
    if fallback is None:
        return False, what
    return fallback[0], f"{what}; {fallback[1]}"


# ----------------------------------------------------------------------------------------
# Status (what the studio reads)


def status(f: Files, now: float | None = None) -> dict[str, Any]:
    now = time.time() if now is None else now
    s = load_settings(f)
    idle = float(s["idleSeconds"])
    pid = daemon_pid(f)
    armed = pid is not None and s.get("armed", True) is not False and read_json(f.settings) is not None
    state = read_json(f.state) or {}
    last = mtime(f.activity)
    if not armed:
        note = state.get("note") if isinstance(state.get("note"), str) else "not armed"
        if state.get("stoppedAt") is None and state.get("note") is None:
            note = "not armed"
        return {"armed": False, "idleMinutes": idle_minutes(idle), "idleSeconds": idle, "deadline": None, "lastActivity": iso(last), "note": note, "readAt": iso(now)}
    procs = processes()
    d = decide(now, idle, last, _num(s.get("extendUntil")), live_trainings(f, procs), busy_scripts(f, procs))
    note = d.note
    if note is None and isinstance(state.get("lastError"), str):
        note = state["lastError"]
    return {"armed": True, "idleMinutes": idle_minutes(idle), "idleSeconds": idle, "deadline": iso(d.deadline), "lastActivity": iso(last), "note": note, "readAt": iso(now), "pid": pid}


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


# ----------------------------------------------------------------------------------------
# The daemon


_stop_requested = False


def _on_term(_sig: int, _frame: Any) -> None:
    global _stop_requested
    _stop_requested = True


def run_daemon(f: Files) -> int:
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_term)
    lock_fd = take_lock(f)
    if lock_fd is None:
        return 0  # another daemon watches this workspace
    log(f, f"watchdog started for {f.workspace}")
    last_seen: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    last_settings: str | None = None
    next_stop_try = 0.0
    last_error: str | None = None
    while not _stop_requested:
        raw = read_json(f.settings)
        if raw is None or raw.get("armed") is False:
            log(f, "disarmed: exiting")
            write_json(f.state, {"note": "disarmed", "updatedAt": iso(time.time()), "stoppedAt": None})
            return 0
        s = load_settings(f)
        shown = json.dumps({k: s.get(k) for k in ("idleSeconds", "apiBase", "envFile", "tickSeconds", "extendUntil")}, sort_keys=True)
        if shown != last_settings:
            log(f, f"settings: {shown}")
            last_settings = shown
        procs = processes()
        trainings, busy = live_trainings(f, procs), busy_scripts(f, procs)
        if (tuple(trainings), tuple(busy)) != last_seen:
            log(f, f"trainings running: {trainings or 'none'}; preparing: {busy or 'nothing'}")
            last_seen = (tuple(trainings), tuple(busy))
        if trainings or busy:
            touch(f.activity)  # the countdown starts again when they end
        now = time.time()
        idle = float(s["idleSeconds"])
        last = mtime(f.activity)
        d = decide(now, idle, last, _num(s.get("extendUntil")), trainings, busy)
        state: dict[str, Any] = {
            "pid": os.getpid(),
            "idleSeconds": idle,
            "deadline": iso(d.deadline),
            "lastActivity": iso(last),
            "note": d.note,
            "lastError": last_error,
            "trainings": trainings,
            "updatedAt": iso(now),
            "stoppedAt": None,
        }
        if d.stop and now >= next_stop_try:
            log(f, f"idle since {iso(last)} (deadline {iso(d.deadline)}): stopping the pod")
            # On the volume before the request: the pod (and this process) may die while it is answered.
            write_json(f.state, {**state, "note": f"stopping the pod at {iso(now)} (idle since {iso(last)})", "stopRequestedAt": iso(now)})
            ok, what = stop_pod(s)
            log(f, what)
            if ok:
                state.update(note=f"stopped the pod at {iso(time.time())} (idle since {iso(last)})", stoppedAt=iso(time.time()), lastError=None, did=what)
                write_json(f.state, state)
                os.close(lock_fd)
                return 0
            last_error = f"could not stop the pod ({what}); retrying every {int(STOP_RETRY_SECONDS)} s"
            state["lastError"] = last_error
            next_stop_try = now + STOP_RETRY_SECONDS
        elif not d.stop:
            last_error = None
            state["lastError"] = None
        write_json(f.state, state)
        # Wake at the deadline (not a tick later) so the pod stops on time.
        wait = float(s["tickSeconds"])
        if d.deadline is not None:
            wait = min(wait, max(0.2, d.deadline - now))
        if d.stop:
            wait = min(float(s["tickSeconds"]), max(0.2, next_stop_try - now))
        _sleep(wait)
    disarmed = (read_json(f.settings) or {}).get("armed") is False
    log(f, "disarmed: exiting" if disarmed else "terminated: exiting")
    write_json(f.state, {"note": "disarmed" if disarmed else "watchdog ended (terminated)", "updatedAt": iso(time.time()), "stoppedAt": None})
    return 0


def _sleep(seconds: float) -> None:
    end = time.monotonic() + seconds
    while not _stop_requested:
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.5))


# ----------------------------------------------------------------------------------------
# Commands


def cmd_arm(f: Files, a: argparse.Namespace) -> dict[str, Any]:
    old = read_json(f.settings) or {}
    idle = a.idle_seconds if a.idle_seconds is not None else (a.idle_minutes if a.idle_minutes is not None else DEFAULT_IDLE_MINUTES) * 60
    settings = {
        "armed": True,
        "idleSeconds": float(idle),
        "apiBase": a.api_base,
        "envFile": a.env_file,
        "tickSeconds": float(a.tick),
        "extendUntil": None,
        "armedAt": time.time(),
    }
    write_json(f.settings, settings)
    touch(f.activity)
    log(f, f"armed: idle {idle} s" + (" (re-armed)" if old else ""))
    if daemon_pid(f) is None:
        _spawn_daemon(f)
        give_up = time.monotonic() + 10
        while daemon_pid(f) is None and time.monotonic() < give_up:
            time.sleep(0.05)
        if daemon_pid(f) is None:
            raise SystemExit(f"watchdog: the daemon did not start; see {f.log}")
    return status(f)


def _spawn_daemon(f: Files) -> None:
    f.dir.mkdir(parents=True, exist_ok=True)
    with open(f.log, "a", encoding="utf-8") as out:
        subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "run", "--workspace", str(f.workspace)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,  # setsid: no SIGHUP from the SSH session, no controlling tty
            close_fds=True,
            cwd="/",
        )


def cmd_extend(f: Files, seconds: float) -> dict[str, Any]:
    s = read_json(f.settings)
    if s is None:
        raise SystemExit("watchdog: not armed in this workspace (arm it first)")
    s["extendUntil"] = time.time() + seconds
    write_json(f.settings, s)
    log(f, f"extended: the deadline is at least {iso(s['extendUntil'])}")
    return status(f)


def cmd_disarm(f: Files) -> dict[str, Any]:
    s = read_json(f.settings)
    if s is not None:
        s["armed"] = False
        write_json(f.settings, s)
    pid = daemon_pid(f)
    if pid and pid > 1 and _pid_if_ours(f) == pid:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    give_up = time.monotonic() + 10
    while daemon_pid(f) is not None and time.monotonic() < give_up:
        time.sleep(0.05)
    log(f, "disarmed")
    return status(f)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="watchdog.py", description="flux-studio on-pod idle watchdog")
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("arm", "status", "extend", "touch", "disarm", "run"):
        sp = sub.add_parser(name)
        sp.add_argument("--workspace", required=True)
        if name == "arm":
            g = sp.add_mutually_exclusive_group()
            g.add_argument("--idle-minutes", type=float, default=None)
            g.add_argument("--idle-seconds", type=float, default=None, help="tests: a short countdown")
            sp.add_argument("--api-base", default=None)
            sp.add_argument("--env-file", default=DEFAULT_ENV_FILE)
            sp.add_argument("--tick", type=float, default=DEFAULT_TICK_SECONDS, help="seconds between checks")
        if name == "extend":
            g = sp.add_mutually_exclusive_group(required=True)
            g.add_argument("--minutes", type=float)
            g.add_argument("--seconds", type=float)
    a = p.parse_args(argv)
    for name in ("idle_minutes", "idle_seconds", "tick", "minutes", "seconds"):
        v = getattr(a, name, None)
        if v is not None and not (0 < v <= 7 * 24 * 3600):
            p.error(f"--{name.replace('_', '-')}: must be positive (got {v})")
    if getattr(a, "api_base", None) and not re.match(r"^https?://[^\s]+$", a.api_base):
        p.error(f"--api-base: must be an http(s) URL (got {a.api_base!r})")
    return a


def main(argv: list[str] | None = None) -> int:
    a = parse_args(sys.argv[1:] if argv is None else argv)
    f = files_for(a.workspace)
    if a.cmd == "run":
        return run_daemon(f)
    if a.cmd == "touch":
        touch(f.activity)
        return 0
    if a.cmd == "arm":
        out = cmd_arm(f, a)
    elif a.cmd == "extend":
        out = cmd_extend(f, a.seconds if a.seconds is not None else a.minutes * 60)
    elif a.cmd == "disarm":
        out = cmd_disarm(f)
    else:
        out = status(f)
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
