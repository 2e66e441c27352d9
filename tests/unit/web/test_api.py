"""The JSON API contract (docs/WEB.md), on SQLite and PostgreSQL, with the replay analyser."""

from __future__ import annotations

import io
import json
import zipfile

from fixtures.web import DEMO_CLIP, bearer, database_url, replay_folder, wait_for, web  # noqa: F401 - fixtures


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

    folder = settings.sessions_dir
    assert len(list(folder.iterdir())) == 2
    assert client.delete(f"/api/sessions/{body['id']}", headers=a).status_code == 204
    assert client.get(f"/api/sessions/{body['id']}", headers=a).status_code == 404
    assert len(list(folder.iterdir())) == 1
    assert client.delete(f"/api/athletes/{athlete}", headers=a).status_code == 204
    assert list(folder.iterdir()) == []
    assert client.get("/api/athletes", headers=a).json() == []


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


def test_invalid_athlete_is_a_422_with_the_reason(web):
    client, _, _ = web
    a = bearer(client, "coach@a.test")
    bad_event = client.post("/api/athletes", headers=a, json={"name": "Ann", "event": "javelin"})
    assert bad_event.status_code == 422 and "unknown event" in bad_event.text
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
