"""watchdog.py: the decision, and the real detached daemon against a local HTTP server that
stands in for RunPod's API (POST /v2/pods/{id}/action)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import watchdog
from watchdog import decide, files_for
from worker_harness import WorkerProcess

POD = Path(__file__).resolve().parents[1]
WATCHDOG = POD / "watchdog.py"
KEY = "rpa_PodScopedKeyThatMustNeverBeOnACommandLine"
POD_ID = "podabc123"


# ----------------------------------------------------------------------------------------
# The decision


def test_decide_counts_from_the_last_activity():
    d = decide(now=1000, idle_seconds=60, last_activity=990, extend_until=None, trainings=[], busy=[])
    assert d == watchdog.Decision(1050, None, False)
    assert decide(1050, 60, 990, None, [], []).stop is True
    # New activity moves the deadline.
    assert decide(1050, 60, 1049, None, [], []) == watchdog.Decision(1109, None, False)


def test_decide_never_stops_while_a_training_runs():
    d = decide(now=10_000, idle_seconds=60, last_activity=0, extend_until=None, trainings=["lora-1"], busy=[])
    assert d.stop is False and d.deadline is None and "lora-1" in (d.note or "")


def test_decide_preparation_is_activity_and_extend_pushes_the_deadline():
    d = decide(now=500, idle_seconds=60, last_activity=0, extend_until=None, trainings=[], busy=["bootstrap.sh"])
    assert d.stop is False and d.deadline == 560 and "bootstrap.sh" in (d.note or "")
    assert decide(now=500, idle_seconds=60, last_activity=0, extend_until=900, trainings=[], busy=[]) == watchdog.Decision(900, None, False)
    # An extension earlier than the activity's deadline changes nothing.
    assert decide(now=500, idle_seconds=60, last_activity=480, extend_until=510, trainings=[], busy=[]).deadline == 540


def test_decide_without_any_activity_counts_from_now():
    assert decide(now=100, idle_seconds=30, last_activity=None, extend_until=None, trainings=[], busy=[]) == watchdog.Decision(130, None, False)


def test_env_file_parsing(tmp_path):
    p = tmp_path / "rp_environment"
    p.write_text('export RUNPOD_POD_ID="abc"\nexport RUNPOD_API_KEY=\'k1\'\nRUNPOD_API_BASE=http://x\nQUOTED="a\\"b\\$c"\n# comment\nnot a line\n')
    assert watchdog.read_env_file(str(p)) == {"RUNPOD_POD_ID": "abc", "RUNPOD_API_KEY": "k1", "RUNPOD_API_BASE": "http://x", "QUOTED": 'a"b$c'}
    assert watchdog.read_env_file(str(tmp_path / "missing")) == {}


# ----------------------------------------------------------------------------------------
# A stand-in for RunPod's API


class FakeRunpod:
    def __init__(self, status: int = 200):
        self.status = status
        self.requests: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer._cond:
                    outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": json.loads(body or b"null"), "at": time.time()})
                    outer._cond.notify_all()
                payload = json.dumps({"id": POD_ID, "status": "EXITED"} if outer.status == 200 else {"title": "err", "status": outer.status}).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def wait_for_request(self, timeout: float) -> dict[str, Any] | None:
        end = time.monotonic() + timeout
        with self._cond:
            while not self.requests:
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
            return self.requests[0]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api():
    a = FakeRunpod()
    yield a
    a.close()


def pod_env(api: FakeRunpod | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNPOD_")}
    if api is not None:
        env.update(RUNPOD_POD_ID=POD_ID, RUNPOD_API_KEY=KEY, RUNPOD_API_BASE=api.base)
    env.update(extra)
    return env


def run_cmd(ws: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([sys.executable, str(WATCHDOG), args[0], "--workspace", str(ws), *args[1:]], env=env or pod_env(None), capture_output=True, text=True, timeout=60)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def wd(ws: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    return json.loads(run_cmd(ws, *args, env=env).stdout)


def daemons(ws: Path) -> list[int]:
    """Every watchdog daemon process for this workspace (from /proc)."""
    out = []
    for p in watchdog.processes():
        if p.state not in ("Z", "X") and any(a.endswith("watchdog.py") for a in p.argv) and "run" in p.argv and str(ws) in p.argv:
            out.append(p.pid)
    return out


def wait_until(pred, timeout: float, step: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


@pytest.fixture
def ws(tmp_path):
    w = Path(os.path.realpath(tmp_path)) / "workspace"
    w.mkdir()
    yield w
    for pid in daemons(w):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def arm(ws: Path, api: FakeRunpod | None, *extra: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    return wd(ws, "arm", "--env-file", str(ws / "no-rp-environment"), "--tick", "0.2", *extra, env=env or pod_env(api))


# ----------------------------------------------------------------------------------------
# The daemon


def test_stops_the_pod_through_the_api_with_the_bearer_key_from_the_environment(ws, api):
    t0 = time.time()
    s = arm(ws, api, "--idle-seconds", "1.5")
    assert s["armed"] is True and s["idleMinutes"] == 1 and s["idleSeconds"] == 1.5 and s["note"] is None
    deadline = watchdog_time(s["deadline"])
    assert t0 + 1.4 <= deadline <= time.time() + 1.6
    pids = daemons(ws)
    assert len(pids) == 1
    argv = Path(f"/proc/{pids[0]}/cmdline").read_bytes()
    assert KEY.encode() not in argv  # the key reaches the daemon only through its environment

    req = api.wait_for_request(timeout=15)
    assert req is not None, (ws / "flux-studio/watchdog/watchdog.log").read_text()
    assert req["path"] == f"/v2/pods/{POD_ID}/action"
    assert req["body"] == {"action": "stop"}
    assert req["auth"] == f"Bearer {KEY}"
    assert req["at"] >= deadline - 0.05  # not before the deadline
    assert req["at"] <= deadline + 3.0  # and soon after it (it wakes at the deadline)

    assert wait_until(lambda: not daemons(ws), 10), "the daemon ends once the pod is stopped"
    after = wd(ws, "status")
    assert after["armed"] is False and after["deadline"] is None and after["note"].startswith("stopped the pod at ")
    log = (ws / "flux-studio/watchdog/watchdog.log").read_text()
    assert "stopping the pod" in log and f"/v2/pods/{POD_ID}/action: 200" in log
    assert KEY not in log and KEY not in (ws / "flux-studio/watchdog/state.json").read_text()
    assert len(api.requests) == 1


def watchdog_time(s: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def test_activity_resets_the_deadline(ws, api):
    arm(ws, api, "--idle-seconds", "2")
    first = wd(ws, "status")
    # Keep the pod busy for ~4 s (twice the idle time): the worker / studio touch the marker.
    end = time.monotonic() + 4
    while time.monotonic() < end:
        run_cmd(ws, "touch")
        last_touch = time.time()
        time.sleep(0.5)
    assert api.requests == [], "stopped while in use"
    later = wd(ws, "status")
    assert watchdog_time(later["deadline"]) > watchdog_time(first["deadline"]) + 3
    assert watchdog_time(later["lastActivity"]) > watchdog_time(first["lastActivity"]) + 3
    req = api.wait_for_request(timeout=15)
    assert req is not None and req["at"] >= last_touch + 1.9


def start_training(ws: Path, name: str) -> subprocess.Popen[bytes]:
    """What the studio's launcher leaves: <ws>/trainings/<name>/pid = a new process group whose
    member has the run's config.json on its command line (launcher.ts)."""
    run = ws / "trainings" / name
    run.mkdir(parents=True)
    (run / "config.json").write_text("{}")
    p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", str(run / "config.json")], start_new_session=True)
    (run / "pid").write_text(f"{p.pid}\n")
    return p


def test_a_live_training_blocks_the_stop_and_the_countdown_starts_when_it_ends(ws, api):
    p = start_training(ws, "lora-1")
    try:
        arm(ws, api, "--idle-seconds", "1")
        time.sleep(3)
        assert api.requests == [], "stopped a pod with a running training"
        s = wd(ws, "status")
        assert s["armed"] is True and s["deadline"] is None and "training running (lora-1)" in s["note"]
    finally:
        p.kill()
        p.wait()
    ended = time.time()
    req = api.wait_for_request(timeout=15)
    assert req is not None and req["at"] >= ended + 0.5  # a fresh countdown after the training


def test_finished_or_foreign_pid_files_do_not_hold_the_pod(ws, api):
    # A run that wrote its exit code, even if its group is still around.
    p = start_training(ws, "done-run")
    (ws / "trainings" / "done-run" / "exit_code").write_text("0\n")
    # A pid file naming a live process group that is not the run's (a pid reused after a restart).
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
    (ws / "trainings" / "old-run").mkdir(parents=True)
    (ws / "trainings" / "old-run" / "pid").write_text(f"{stranger.pid}\n")
    try:
        assert watchdog.live_trainings(files_for(str(ws)), watchdog.processes()) == []
        arm(ws, api, "--idle-seconds", "1")
        assert api.wait_for_request(timeout=15) is not None
    finally:
        for q in (p, stranger):
            q.kill()
            q.wait()


def test_extend_pushes_the_deadline_back_from_now(ws, api):
    arm(ws, api, "--idle-minutes", "15")
    t = time.time()
    s = wd(ws, "extend", "--minutes", "60")
    assert s["armed"] is True and s["idleMinutes"] == 15
    assert t + 3600 - 1 <= watchdog_time(s["deadline"]) <= time.time() + 3600 + 1
    # A short extension does not shorten the idle deadline.
    s2 = wd(ws, "extend", "--minutes", "1")
    assert watchdog_time(s2["deadline"]) >= t + 15 * 60 - 1
    # Re-arming replaces the settings (and drops the extension).
    s3 = arm(ws, api, "--idle-minutes", "20")
    assert s3["idleMinutes"] == 20 and watchdog_time(s3["deadline"]) <= time.time() + 20 * 60 + 1


def test_extend_after_idle_keeps_the_pod_running(ws, api):
    arm(ws, api, "--idle-seconds", "1.5")
    wd(ws, "extend", "--seconds", "4")
    t = time.time()
    req = api.wait_for_request(timeout=15)
    assert req is not None and req["at"] >= t + 3.5


def test_extend_before_arming_says_so(ws):
    r = run_cmd(ws, "extend", "--minutes", "5", check=False)
    assert r.returncode != 0 and "not armed" in r.stderr
    s = wd(ws, "status")
    assert s == {**s, "armed": False, "deadline": None, "note": "not armed", "idleMinutes": 15}


def test_one_daemon_per_workspace_and_rearming_replaces_the_settings(ws, api):
    # Three arms at once, then one more: one daemon, the last settings.
    procs = [
        subprocess.Popen([sys.executable, str(WATCHDOG), "arm", "--workspace", str(ws), "--idle-minutes", "30", "--tick", "0.2", "--env-file", "/nonexistent"], env=pod_env(api), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert json.loads(out)["armed"] is True
    assert wait_until(lambda: len(daemons(ws)) == 1, 5)
    time.sleep(0.5)
    pids = daemons(ws)
    assert len(pids) == 1
    s = arm(ws, api, "--idle-minutes", "45")
    assert s["idleMinutes"] == 45 and s["pid"] == pids[0]
    assert daemons(ws) == pids
    lock_pid = int((ws / "flux-studio/watchdog/watchdog.lock").read_text())
    assert lock_pid == pids[0]
    # disarm ends it.
    off = wd(ws, "disarm")
    assert off["armed"] is False and off["note"] == "disarmed"
    assert daemons(ws) == []
    assert api.requests == []


def test_the_daemon_survives_its_session_ending(ws, api):
    """Started from a shell in its own session that then gets SIGHUP'd (as when an SSH session drops)."""
    sh = subprocess.Popen(
        ["bash", "-c", f'"{sys.executable}" "{WATCHDOG}" arm --workspace "{ws}" --idle-minutes 30 --tick 0.2 >/dev/null; sleep 60'],
        env=pod_env(api),
        start_new_session=True,
    )
    try:
        assert wait_until(lambda: len(daemons(ws)) == 1, 20)
        os.killpg(sh.pid, signal.SIGHUP)
        sh.wait(10)
        time.sleep(0.5)
        assert len(daemons(ws)) == 1 and wd(ws, "status")["armed"] is True
    finally:
        if sh.poll() is None:
            os.killpg(sh.pid, signal.SIGKILL)


def test_key_and_pod_id_from_the_env_file(ws, api):
    env_file = ws / "rp_environment"
    env_file.write_text(f'export RUNPOD_POD_ID="{POD_ID}"\nexport RUNPOD_API_KEY="{KEY}"\n')
    wd(ws, "arm", "--env-file", str(env_file), "--api-base", api.base, "--tick", "0.2", "--idle-seconds", "1", env=pod_env(None))
    req = api.wait_for_request(timeout=15)
    assert req is not None and req["auth"] == f"Bearer {KEY}" and req["path"] == f"/v2/pods/{POD_ID}/action"


def test_api_failure_falls_back_to_runpodctl_with_the_key_in_its_environment(ws, tmp_path):
    failing = FakeRunpod(status=500)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "runpodctl.json"
    (bin_dir / "runpodctl").write_text(
        f"#!{sys.executable}\nimport json, os, sys\njson.dump({{'argv': sys.argv[1:], 'key': os.environ.get('RUNPOD_API_KEY')}}, open({str(record)!r}, 'w'))\n"
    )
    (bin_dir / "runpodctl").chmod(0o755)
    try:
        env = pod_env(failing, PATH=f"{bin_dir}:{os.environ['PATH']}")
        arm(ws, failing, "--idle-seconds", "1", env=env)
        assert failing.wait_for_request(timeout=15) is not None
        assert wait_until(record.exists, 15)
        got = json.loads(record.read_text())
        assert got == {"argv": ["stop", "pod", POD_ID], "key": KEY}
        assert wait_until(lambda: not daemons(ws), 10)
        log = (ws / "flux-studio/watchdog/watchdog.log").read_text()
        assert "HTTP 500" in log and "runpodctl stop pod" in log and KEY not in log
    finally:
        failing.close()


def test_a_failed_stop_is_reported_and_retried(ws):
    # No pod id in the environment: the stop fails, the status says why, the daemon stays.
    arm(ws, None, "--idle-seconds", "1", env=pod_env(None, PATH="/usr/bin:/bin"))
    assert wait_until(lambda: "RUNPOD_POD_ID is not set" in (wd(ws, "status")["note"] or ""), 15)
    assert len(daemons(ws)) == 1


def test_bad_arguments_are_refused(ws):
    r = run_cmd(ws, "arm", "--idle-minutes", "-3", check=False)
    assert r.returncode == 2 and "--idle-minutes" in r.stderr
    r = run_cmd(ws, "arm", "--api-base", "file:///etc/passwd", check=False)
    assert r.returncode == 2 and "--api-base" in r.stderr


# ----------------------------------------------------------------------------------------
# The worker's side: every request is activity


def test_the_worker_touches_the_activity_marker_on_each_request(tmp_path):
    marker = tmp_path / "ws" / "flux-studio" / "watchdog" / "activity"
    w = WorkerProcess(["--pipeline", "standin", "--outputs", str(tmp_path / "out"), "--activity", str(marker)], env={"FLUX_STUDIO_STANDIN_STEP_MS": "5"})
    try:
        w.next(lambda e: e["event"] == "ready", timeout=60)
        assert not marker.exists()
        w.send({"id": "p1", "type": "ping"})
        w.next(lambda e: e["event"] == "pong")
        first = marker.stat().st_mtime
        time.sleep(0.05)
        os.utime(marker, (first - 100, first - 100))
        w.send({"id": "p2", "type": "ping"})
        w.next(lambda e: e["event"] == "pong")
        assert marker.stat().st_mtime > first - 1
    finally:
        w.kill()
