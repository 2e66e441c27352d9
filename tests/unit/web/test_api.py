"""The JSON API contract (docs/WEB.md), on SQLite and PostgreSQL, with the replay analyser."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import get_args

from fixtures.web import DEMO_CLIP, bearer, database_url, replay_folder, wait_for, web  # noqa: F401 - fixtures

#: The smallest PNG (1x1 transparent pixel): a stand-in key frame.
PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")  # fmt: skip


def refusing_analyser(source: str, out_dir: str, options: dict) -> dict:
    """Stands in for ``runform.batch.analyse_one`` on a walking clip: the output folder holds the
    diagnostic and a key frame, and the reason is the pipeline's QualityRefused message, which
    points at the diagnostic by its path on the server."""
    from runform.errors import QualityRefused

    folder = Path(out_dir)
    staging = folder.with_name("out.tmp")
    staging.mkdir()
    (staging / "diagnostic.html").write_text("<!doctype html><h1>REFUSED: clip.mp4</h1><img src='keyframe-1.png'>", encoding="utf-8")
    (staging / "keyframe-1.png").write_bytes(PNG_1PX)
    staging.rename(folder)
    refused = QualityRefused("The clip cannot be analysed reliably", found=f"the runner is walking in {source}",
                             fix=f"film running, not walking; see {folder / 'diagnostic.html'} for whom runform followed")  # fmt: skip
    return {"path": source, "out_dir": out_dir, "status": "refused", "reason": refused.message}


def _upload(client, headers, athlete_id, name="clip.mp4", data=None, **form):  # noqa: ANN001, ANN202
    content = DEMO_CLIP.read_bytes() if data is None else data
    return client.post(f"/api/athletes/{athlete_id}/sessions", headers=headers, files={"file": (name, content, "video/mp4")}, data=form)


def test_token_contract(web):
    client, _, _ = web
    ok = client.post("/api/auth/token", data={"username": "coach@a.test", "password": "correct horse battery"})
    assert ok.status_code == 200 and ok.json()["token_type"] == "bearer" and ok.json()["access_token"]
    wrong = client.post("/api/auth/token", data={"username": "coach@a.test", "password": "wrong password"})
    assert wrong.status_code == 401
    unknown = client.post("/api/auth/token", data={"username": "nobody@x.test", "password": "wrong password"})
    assert unknown.status_code == 401


def test_athletes_upload_job_files_trend_export_delete(web):
    client, analyser, settings = web
    a = bearer(client, "coach@a.test")
    assert client.get("/api/athletes").status_code == 401
    created = client.post("/api/athletes", headers=a, json={"name": "Ann Runner", "height_m": 1.70, "event": "5k"})
    assert created.status_code == 201, created.text
    athlete = created.json()["id"]
    assert [x["id"] for x in client.get("/api/athletes", headers=a).json()] == [athlete]

    upload = _upload(client, a, athlete, date="2025-03-01", treadmill_speed="12.6km/h")
    assert upload.status_code == 202, upload.text
    body = upload.json()
    assert body["status"] in ("queued", "running", "done") and "id" in body
    done = wait_for(client, body["id"], a)
    assert done["status"] == "done" and done["error"] is None
    assert done["summary"]["cadence_steps_per_min"]["value"] > 100
    assert abs(done["treadmill_speed_mps"] - 3.5) < 1e-9 and done["date"] == "2025-03-01"
    assert analyser.calls == [str(settings.sessions_dir / client.app.state.db.sessions().get(
        __import__("runform.web.models", fromlist=["TrainingSession"]).TrainingSession, body["id"]).storage_key / "clip.mp4")]

    analysis = client.get(f"/api/sessions/{body['id']}/analysis.json", headers=a)
    assert analysis.status_code == 200 and json.loads(analysis.content)["schema_version"]
    report = client.get(f"/api/sessions/{body['id']}/report.html", headers=a)
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert client.get(f"/api/sessions/{body['id']}/annotated.mp4", headers=a).status_code == 404  # keypoint run: no video

    second = _upload(client, a, athlete, date="2025-04-01").json()
    wait_for(client, second["id"], a)
    trend = client.get(f"/api/athletes/{athlete}/trend", headers=a).json()
    assert trend["sessions"] == 2 and trend["profile"] == "distance"
    knee = next(m for m in trend["metrics"] if m["key"] == "max_thigh_angle_deg")
    assert [s["side"] for s in knee["series"]] == ["left", "right"]
    assert len(knee["series"][0]["points"]) == 2 and knee["band"]["low"] == 35
    assert knee["series"][0]["points"][0]["uncertainty"] > 0

    compare = client.get(f"/api/compare?before={body['id']}&after={second['id']}", headers=a)
    assert compare.status_code == 200 and compare.json()["metrics"]

    archive = client.get(f"/api/athletes/{athlete}/export.zip", headers=a)
    assert archive.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert "athlete.json" in names and sum(n.endswith("analysis.json") for n in names) == 2
    with_clips = zipfile.ZipFile(io.BytesIO(client.get(f"/api/athletes/{athlete}/export.zip?clips=true", headers=a).content))
    clip = next(info for info in with_clips.infolist() if info.filename.endswith("/clip.mp4"))
    assert clip.compress_type == zipfile.ZIP_STORED and clip.file_size == DEMO_CLIP.stat().st_size  # a video is stored as it is
    assert not list(settings.data_dir.glob(".export-*"))  # built on disk (not in memory) and removed once sent

    folder = settings.sessions_dir
    assert len(list(folder.iterdir())) == 2
    assert client.delete(f"/api/sessions/{body['id']}", headers=a).status_code == 204
    assert client.get(f"/api/sessions/{body['id']}", headers=a).status_code == 404
    assert len(list(folder.iterdir())) == 1
    assert client.delete(f"/api/athletes/{athlete}", headers=a).status_code == 204
    assert list(folder.iterdir()) == []
    assert client.get("/api/athletes", headers=a).json() == []


def test_a_corrected_height_is_applied_by_re_analysing(web):
    """A mistyped height set the scale of every analysis and could not be changed (only by deleting
    the athlete and every session); nor could a failed job be retried without a new upload."""
    client, analyser, _ = web
    a, b = bearer(client, "coach@a.test"), bearer(client, "coach@b.test")
    athlete = client.post("/api/athletes", headers=a, json={"name": "Ann", "height_m": 1.07, "event": "5k"}).json()["id"]
    session = _upload(client, a, athlete).json()["id"]
    assert wait_for(client, session, a)["status"] == "done" and analyser.options[-1]["height_m"] == 1.07
    fixed = client.put(f"/api/athletes/{athlete}", headers=a, json={"name": "Ann", "height_m": 1.70, "event": "xc"})
    assert fixed.status_code == 200 and (fixed.json()["height_m"], fixed.json()["event"]) == (1.70, "xc")
    assert client.put(f"/api/athletes/{athlete}", headers=a, json={"name": "Ann", "height_m": 170}).status_code == 422
    assert client.put(f"/api/athletes/{athlete}", headers=b, json={"name": "Bob"}).status_code == 404
    assert client.post(f"/api/sessions/{session}/reanalyse", headers=b).status_code == 404
    again = client.post(f"/api/sessions/{session}/reanalyse", headers=a)
    assert again.status_code == 202 and again.json()["status"] in ("queued", "running", "done")
    assert wait_for(client, session, a)["status"] == "done"
    assert (analyser.options[-1]["height_m"], analyser.options[-1]["event"]) == (1.70, "xc") and len(analyser.calls) == 2


def test_second_coach_sees_nothing_of_the_first(web):
    client, _, _ = web
    a, b = bearer(client, "coach@a.test"), bearer(client, "coach@b.test")
    athlete = client.post("/api/athletes", headers=a, json={"name": "Ann", "height_m": None, "event": None}).json()["id"]
    session = _upload(client, a, athlete).json()["id"]
    wait_for(client, session, a)
    assert client.get("/api/athletes", headers=b).json() == []
    for url in (f"/api/athletes/{athlete}", f"/api/athletes/{athlete}/sessions", f"/api/athletes/{athlete}/trend",
                f"/api/athletes/{athlete}/export.zip", f"/api/athletes/{athlete}/programme", f"/api/sessions/{session}",
                f"/api/sessions/{session}/analysis.json", f"/api/sessions/{session}/report.html",
                f"/api/compare?before={session}&after={session}"):  # fmt: skip
        assert client.get(url, headers=b).status_code == 404, url
    assert _upload(client, b, athlete).status_code == 404
    assert client.delete(f"/api/sessions/{session}", headers=b).status_code == 404
    assert client.delete(f"/api/athletes/{athlete}", headers=b).status_code == 404
    assert client.get(f"/api/sessions/{session}", headers=a).json()["status"] == "done"


def test_bad_uploads_are_rejected_with_a_clear_message_and_leave_nothing(web):
    client, analyser, settings = web
    a = bearer(client, "coach@a.test")
    athlete = client.post("/api/athletes", headers=a, json={"name": "Ann"}).json()["id"]
    text = _upload(client, a, athlete, name="notes.txt", data=b"hello")
    assert text.status_code == 415 and "not a video" in text.json()["detail"]
    disguised = _upload(client, a, athlete, name="clip.mp4", data=b"#!/bin/sh\necho pwned\n" * 10)
    assert disguised.status_code == 415 and "not a video" in disguised.json()["detail"]
    truncated = _upload(client, a, athlete, name="clip.mp4", data=DEMO_CLIP.read_bytes()[:4000])
    assert truncated.status_code == 422 and "cannot be decoded" in truncated.json()["detail"]
    speed = _upload(client, a, athlete, treadmill_speed="fast")
    assert speed.status_code == 422 and "treadmill speed" in speed.json()["detail"]
    assert "--treadmill-speed" not in speed.json()["detail"] and "12.6km/h" in speed.json()["detail"]
    assert list(settings.sessions_dir.iterdir()) == [] and analyser.calls == []
    assert client.get(f"/api/athletes/{athlete}/sessions", headers=a).json() == []


def test_oversized_upload_is_rejected(tmp_path, database_url, replay_folder):
    from fastapi.testclient import TestClient
    from fixtures.web import ReplayAnalyser, add_coach, make_settings

    from runform.web import create_app

    settings = make_settings(tmp_path / "data", database_url, max_upload_mb=1)
    add_coach(database_url, "coach@a.test")
    with TestClient(create_app(settings, ReplayAnalyser(replay_folder))) as client:
        a = bearer(client, "coach@a.test")
        athlete = client.post("/api/athletes", headers=a, json={"name": "Ann"}).json()["id"]
        big = _upload(client, a, athlete, data=DEMO_CLIP.read_bytes())  # 1.8 MB > 1 MB (+1 MB form slack: refused early)
        assert big.status_code == 413 and "too large" in big.text
        half = _upload(client, a, athlete, data=DEMO_CLIP.read_bytes()[: 1024 * 1024 + 500_000])  # over 1 MB, under the early limit
        assert half.status_code == 413 and "too large" in half.json()["detail"]
        assert list(settings.sessions_dir.iterdir()) == []
        assert "at most 1 MB" in big.text  # the limit itself (it said 2: the limit plus the form's slack)

        def chunks():  # a file part sent without a Content-Length (chunked), before any login
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n'
            for _ in range(48):
                yield b"x" * 65536

        chunked = client.post("/login", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"})
        assert chunked.status_code == 413 and "at most 1 MB" in chunked.text  # it used to be read whole, then refused (CSRF)


def test_hostile_file_names_are_neutralised(web):
    client, _, settings = web
    a = bearer(client, "coach@a.test")
    athlete = client.post("/api/athletes", headers=a, json={"name": "Ann"}).json()["id"]
    for name in ("../../../etc/passwd.mp4", "..\\..\\evil.mp4", "<script>alert(1)</script>.mp4", "a\x00b.mp4", "/abs/x.mp4"):
        response = _upload(client, a, athlete, name=name)
        assert response.status_code == 202, (name, response.text)
        shown = response.json()["original_name"]
        assert "/" not in shown and "\\" not in shown and "<" not in shown and "\x00" not in shown
    stored = sorted(p.name for folder in settings.sessions_dir.iterdir() for p in folder.iterdir() if p.is_file())
    assert set(stored) == {"clip.mp4"}
    assert not (settings.data_dir.parent / "evil.mp4").exists()


def test_refused_and_failed_jobs_carry_their_reason(web):
    client, analyser, _ = web
    a = bearer(client, "coach@a.test")
    athlete = client.post("/api/athletes", headers=a, json={"name": "Ann"}).json()["id"]
    analyser.status = "refused"
    body = wait_for(client, _upload(client, a, athlete).json()["id"], a)
    assert body["status"] == "refused" and "refused" in body["error"] and body["summary"] is None
    assert client.get(f"/api/sessions/{body['id']}/report.html", headers=a).status_code == 404


def test_a_refused_clip_links_its_diagnostic_and_shows_no_server_path(web):
    client, _, settings = web
    client.app.state.jobs.analyse = refusing_analyser
    a, b = bearer(client, "coach@a.test"), bearer(client, "coach@b.test")
    athlete = client.post("/api/athletes", headers=a, json={"name": "Ann"}).json()["id"]
    body = wait_for(client, _upload(client, a, athlete).json()["id"], a)
    sid, url = body["id"], f"/api/sessions/{body['id']}/diagnostic.html"
    assert body["status"] == "refused" and "walking" in body["error"]
    assert f"see {url} for whom runform followed" in body["error"] and "the uploaded clip" in body["error"]
    assert str(settings.data_dir) not in body["error"] and "/sessions/" not in body["error"].replace(url, "")
    listed = client.get(f"/api/athletes/{athlete}/sessions", headers=a).json()
    assert [s["error"] for s in listed] == [body["error"]]

    diagnostic = client.get(url, headers=a)
    assert diagnostic.status_code == 200 and diagnostic.headers["content-type"].startswith("text/html")
    assert "REFUSED" in diagnostic.text
    frame = client.get(f"/api/sessions/{sid}/keyframe-1.png", headers=a)  # the page's <img src='keyframe-1.png'>
    assert frame.status_code == 200 and frame.headers["content-type"] == "image/png" and frame.content == PNG_1PX
    assert client.get(f"/api/sessions/{sid}/keyframe-2.png", headers=a).status_code == 404  # not written
    assert client.get(f"/api/sessions/{sid}/report.html", headers=a).status_code == 404
    assert client.get(url, headers=b).status_code == 404  # another coach's session
    assert client.get(url).status_code == 401
    assert client.get(f"/api/sessions/{sid}/out.tmp", headers=a).status_code == 422  # only the known names

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/athletes/{athlete}/export.zip", headers=a).content))
    assert f"session-{sid}-{body['date']}/diagnostic.html" in archive.namelist()
    assert str(settings.data_dir) not in archive.read("athlete.json").decode()


def test_a_finished_session_has_no_diagnostic(web):
    client, _, _ = web
    a = bearer(client, "coach@a.test")
    athlete = client.post("/api/athletes", headers=a, json={"name": "Ann"}).json()["id"]
    done = wait_for(client, _upload(client, a, athlete).json()["id"], a)
    assert done["status"] == "done"
    assert client.get(f"/api/sessions/{done['id']}/diagnostic.html", headers=a).status_code == 404


def test_the_file_route_serves_exactly_the_output_files():
    from runform.web.api import OutputName
    from runform.web.storage import OUTPUT_FILES

    assert set(get_args(OutputName)) == set(OUTPUT_FILES)



def test_the_diagnostic_files_are_those_the_pipeline_writes():
    """storage keeps its own copy of the names (the web app does not import the report package)."""
    import inspect

    from runform.report.diagnostic import DIAGNOSTIC_FILE, write_diagnostic
    from runform.web.storage import DIAGNOSTIC_FILES, DIAGNOSTIC_PAGE

    n_frames = inspect.signature(write_diagnostic).parameters["n_key_frames"].default
    assert DIAGNOSTIC_PAGE == DIAGNOSTIC_FILE
    assert set(DIAGNOSTIC_FILES) == {DIAGNOSTIC_FILE} | {f"keyframe-{k}.png" for k in range(1, n_frames + 1)}


def test_reasons_lose_their_server_paths_under_any_data_folder(tmp_path):
    """A reason stored before the server's data folder moved shows no server path either, and the
    text around a path (a colon, brackets, the full stop) is kept."""
    from types import SimpleNamespace

    from runform.web.services import public_error
    from runform.web.settings import WebSettings

    key = "ab" * 16
    settings = WebSettings(data_dir=tmp_path / "now", database_url="sqlite://")
    row = SimpleNamespace(id=7, storage_key=key, clip_suffix=".mp4",
                          error=(f"Cannot read /old/place/sessions/{key}/clip.mp4. What to do: see "
                                 f"/old/place/sessions/{key}/out/diagnostic.html for whom runform followed."))  # fmt: skip
    assert public_error(row) == ("Cannot read the uploaded clip. What to do: see /api/sessions/7/diagnostic.html "
                                 "for whom runform followed.")  # fmt: skip
    row.error = f"the worker crashed writing {settings.sessions_dir / key / 'out.tmp'}"
    assert public_error(row) == "the worker crashed writing the session's folder"
    row.error = f"Cannot decode {settings.sessions_dir / key / 'clip.mp4'}: broken (see /x/{key}/out/diagnostic.html)"
    assert public_error(row) == "Cannot decode the uploaded clip: broken (see /api/sessions/7/diagnostic.html)"
    row.error = f"the database at /srv/database/x is locked; {'cd' * 16} is another session"
    assert public_error(row) == row.error  # no path of this session: untouched
    row.error = None
    assert public_error(row) is None


def test_times_are_utc_with_their_offset_in_every_response(web):
    client, _, _ = web
    a = bearer(client, "coach@a.test")
    created = client.post("/api/athletes", headers=a, json={"name": "Ann"}).json()
    fetched = client.get(f"/api/athletes/{created['id']}", headers=a).json()
    assert fetched["created_at"] == created["created_at"] == client.get("/api/athletes", headers=a).json()[0]["created_at"]
    assert datetime.fromisoformat(fetched["created_at"]).utcoffset() == timedelta(0)
    uploaded = _upload(client, a, created["id"]).json()
    done = wait_for(client, uploaded["id"], a)
    assert done["created_at"] == uploaded["created_at"]
    for moment in (done["created_at"], done["finished_at"]):
        assert datetime.fromisoformat(moment).utcoffset() == timedelta(0), moment


def test_invalid_athlete_is_a_422_with_the_reason(web):
    from runform.config import EVENT_NAMES

    client, _, _ = web
    a = bearer(client, "coach@a.test")
    bad_event = client.post("/api/athletes", headers=a, json={"name": "Ann", "event": "javelin"})
    assert bad_event.status_code == 422 and "unknown event" in bad_event.text
    detail = bad_event.json()["detail"]
    assert "runform analyze" not in detail and "--event" not in detail
    assert f"What to do: choose one of {', '.join(EVENT_NAMES)}, or leave the event empty." in detail
    assert client.post("/api/athletes", headers=a, json={"name": "Ann", "height_m": 17.8}).status_code == 422
    assert client.post("/api/athletes", headers=a, json={"name": ""}).status_code == 422


def test_admin_manages_coaches_others_cannot(web):
    client, _, _ = web
    a, b = bearer(client, "coach@a.test"), bearer(client, "coach@b.test")
    assert client.get("/api/users", headers=b).status_code == 403
    assert {u["email"] for u in client.get("/api/users", headers=a).json()} == {"coach@a.test", "coach@b.test"}
    made = client.post("/api/users", headers=a, json={"email": "c@c.test", "password": "long enough pw"})
    assert made.status_code == 201
    assert client.post("/api/users", headers=b, json={"email": "d@c.test", "password": "long enough pw"}).status_code == 403


def test_each_lifespan_stops_its_own_job_runner(tmp_path, database_url, replay_folder):
    """Two lifespans of one app (a TestClient and a test tool's ASGI client, as Schemathesis does):
    each stops the job runner it started, so none polls the database after the app is gone."""
    from fastapi.testclient import TestClient
    from fixtures.web import ReplayAnalyser, make_settings

    from runform.web import create_app

    app = create_app(make_settings(tmp_path / "data", database_url), ReplayAnalyser(replay_folder))
    with TestClient(app):
        first = app.state.jobs
        with TestClient(app):
            second = app.state.jobs
            assert first is not second and first.running and second.running
        assert not second.running and first.running
    assert not first.running


def test_every_route_commits_its_database_session_before_the_response():
    """The session closed (committing) after the response was sent: a redirect to a new athlete,
    a token or an id reached the client before its row was committed, and a deletion was reported
    done before it was. Every route's session (``deps.db_session``) now has ``scope="function"``."""
    from runform.web import api, pages
    from runform.web.deps import db_session

    def sessions(dependant):  # noqa: ANN001, ANN202 - every use of db_session below this route
        for sub in dependant.dependencies:
            yield from ([sub] if sub.call is db_session else []) + list(sessions(sub))

    routes = [r for r in (*api.router.routes, *pages.router.routes) if hasattr(r, "dependant")]
    found = [(route.path, d.scope) for route in routes for d in sessions(route.dependant)]
    assert len(found) >= 30 and {scope for _, scope in found} == {"function"}, found
