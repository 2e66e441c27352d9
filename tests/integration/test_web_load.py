"""Load and crash safety on loopback, bounded in time.

- 20 concurrent uploads over real HTTP (uvicorn) all finish: 20 sessions, each analysed exactly
  once (replay analyser: the web, database and job machinery under load, not 20 BlazePose runs).
- ``runform serve`` killed (SIGKILL, whole process group) while the real analysis of the demo clip
  runs, then restarted: the job ends ``done`` (resumed) - never lost, never stuck ``running``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fixtures.web import (  # noqa: F401 - fixtures
    DEMO_CLIP,
    PASSWORD,
    LiveServer,
    ReplayAnalyser,
    add_coach,
    database_url,
    free_port,
    make_settings,
    replay_folder,
)

from runform.web import create_app

N_UPLOADS = 20
LOAD_TIMEOUT_S = 120


def _token(base: str, email: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/auth/token", data={"username": email, "password": PASSWORD}, timeout=30)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.slow
def test_twenty_concurrent_uploads_all_finish_once(tmp_path, database_url, replay_folder):  # noqa: F811
    add_coach(database_url, "coach@a.test")
    analyser = ReplayAnalyser(replay_folder, delay_s=0.2)
    settings = make_settings(tmp_path / "data", database_url, workers=2)
    clip = DEMO_CLIP.read_bytes()
    started = time.monotonic()
    with LiveServer(create_app(settings, analyser)) as server:
        headers = _token(server.url, "coach@a.test")
        athlete = httpx.post(f"{server.url}/api/athletes", headers=headers, json={"name": "Load"}, timeout=30).json()["id"]

        def upload(i: int) -> int:
            r = httpx.post(f"{server.url}/api/athletes/{athlete}/sessions", headers=headers, timeout=60,
                           files={"file": (f"run-{i}.mp4", clip, "video/mp4")}, data={"date": f"2025-01-{i + 1:02d}"})  # fmt: skip
            assert r.status_code == 202, r.text
            return r.json()["id"]

        with ThreadPoolExecutor(N_UPLOADS) as pool:
            ids = list(pool.map(upload, range(N_UPLOADS)))
        assert len(set(ids)) == N_UPLOADS
        deadline = time.monotonic() + LOAD_TIMEOUT_S
        while time.monotonic() < deadline:
            sessions = httpx.get(f"{server.url}/api/athletes/{athlete}/sessions", headers=headers, timeout=30).json()
            if all(s["status"] not in ("queued", "running") for s in sessions):
                break
            time.sleep(0.3)
    assert sorted(s["id"] for s in sessions) == sorted(ids)
    assert {s["status"] for s in sessions} == {"done"}
    assert len(analyser.calls) == N_UPLOADS and len(set(analyser.calls)) == N_UPLOADS  # none lost, none twice
    assert sorted(s["original_name"] for s in sessions) == sorted(f"run-{i}.mp4" for i in range(N_UPLOADS))
    assert time.monotonic() - started < LOAD_TIMEOUT_S


def _serve(data_dir, url: str, port: int) -> subprocess.Popen:  # noqa: ANN001
    return subprocess.Popen([sys.executable, "-m", "runform.cli", "serve", "--port", str(port), "--data-dir", str(data_dir),
                             "--database-url", url], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip


def _wait_up(base: str, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError("server did not start")


def _kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)  # the server and its analysis worker: a power cut
    process.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.video
def test_killed_server_resumes_the_job_after_restart(tmp_path):
    url = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    add_coach(url, "coach@a.test")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(tmp_path / "data", url, port)
    try:
        _wait_up(base, server)
        headers = _token(base, "coach@a.test")
        athlete = httpx.post(f"{base}/api/athletes", headers=headers, json={"name": "Crash"}, timeout=30).json()["id"]
        upload = httpx.post(f"{base}/api/athletes/{athlete}/sessions", headers=headers, timeout=60,
                            files={"file": ("demo.mp4", DEMO_CLIP.read_bytes(), "video/mp4")})  # fmt: skip
        assert upload.status_code == 202, (upload.status_code, upload.text)  # a failure says why
        sid = upload.json()["id"]
        deadline = time.monotonic() + 30
        while httpx.get(f"{base}/api/sessions/{sid}", headers=headers).json()["status"] != "running":
            assert time.monotonic() < deadline, "the job never started"
            time.sleep(0.2)
        time.sleep(2)  # mid-analysis
    finally:
        _kill(server)
    server = _serve(tmp_path / "data", url, port)
    try:
        _wait_up(base, server)
        deadline = time.monotonic() + 240
        while (body := httpx.get(f"{base}/api/sessions/{sid}", headers=headers).json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, f"still {body['status']} after restart"
            time.sleep(0.5)
        assert body["status"] == "done", body
        assert body["attempts"] == 2
        assert httpx.get(f"{base}/api/sessions/{sid}/annotated.mp4", headers=headers).status_code == 200
    finally:
        _kill(server)
