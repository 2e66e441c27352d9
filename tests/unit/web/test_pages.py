"""Pages: every route needs a login, forms need the CSRF token, coaches are kept apart."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.routing import APIRoute
from fixtures.web import DEMO_CLIP, PASSWORD, bearer, database_url, replay_folder, wait_for, web  # noqa: F401 - fixtures

PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/api/auth/token")}


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, email: str) -> str:  # noqa: ANN001
    token = _csrf(client.get("/login").text)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return _csrf(client.get("/").text)


def test_every_route_requires_login(web):
    client, _, _ = web
    from runform.web import api, pages

    routes = [(m, r.path) for r in [*api.router.routes, *pages.router.routes] if isinstance(r, APIRoute) for m in r.methods]
    assert len(routes) > 25
    for method, path in routes:
        if (method, path) in PUBLIC:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path).replace("/1/{name}", "/1/report.html")
        url = url.replace("/sessions/1/1", "/sessions/1/report.html")
        response = client.request(method, url, params={"before": 1, "after": 1}, follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, url, response.status_code)
        elif method == "GET":
            assert response.status_code == 303 and response.headers["location"] == "/login", (method, url)
        else:  # form posts: refused by the CSRF check or the login check, never served
            assert response.status_code in (303, 403), (method, url, response.status_code)
    assert client.get("/static/style.css").status_code == 200  # the stylesheet only


def test_login_wrong_password_and_logout(web):
    client, _, _ = web
    token = _csrf(client.get("/login").text)
    wrong = client.post("/login", data={"email": "coach@a.test", "password": "nope nope", "csrf_token": token})
    assert wrong.status_code == 401 and "Wrong e-mail or password" in wrong.text
    csrf = login(client, "coach@a.test")
    assert client.get("/", follow_redirects=False).status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_forms_need_the_csrf_token(web):
    client, _, _ = web
    csrf = login(client, "coach@a.test")
    assert client.post("/athletes", data={"name": "Ann"}).status_code == 403
    assert client.post("/athletes", data={"name": "Ann", "csrf_token": "forged"}).status_code == 403
    assert client.post("/logout", data={}).status_code == 403
    assert client.post("/login", data={"email": "coach@a.test", "password": PASSWORD}).status_code == 403
    made = client.post("/athletes", data={"name": "Ann", "height_m": "1.7", "event": "800m", "csrf_token": csrf}, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"].startswith("/athletes/")
    # the API does not take the cookie for changes (no CSRF token there): a bearer token is required
    assert client.post("/api/athletes", json={"name": "Bob"}).status_code == 401


def test_pages_of_one_coach_are_404_for_another(web):
    client, _, _ = web
    csrf = login(client, "coach@a.test")
    athlete_url = client.post("/athletes", data={"name": "Ann", "csrf_token": csrf}, follow_redirects=False).headers["location"]
    page = client.get(athlete_url)
    assert page.status_code == 200 and "Ann" in page.text
    upload = client.post(f"{athlete_url}/sessions", data={"csrf_token": _csrf(page.text), "session_date": "2025-01-02"},
                         files={"file": ("run.mp4", DEMO_CLIP.read_bytes(), "video/mp4")}, follow_redirects=False)  # fmt: skip
    assert upload.status_code == 303, upload.text
    session_url = upload.headers["location"]
    wait_for(client, int(session_url.rsplit("/", 1)[1]), bearer(client, "coach@a.test"))
    session_page = client.get(session_url)
    assert session_page.status_code == 200 and 'id="report"' in session_page.text
    assert client.get(f"{athlete_url}/programme").status_code == 200
    client.post("/logout", data={"csrf_token": _csrf(session_page.text)})
    login(client, "coach@b.test")
    for url in (athlete_url, session_url, f"{athlete_url}/programme"):
        assert client.get(url).status_code == 404, url
    assert "Ann" not in client.get("/").text
    assert client.get(session_url.replace("/sessions/", "/api/sessions/") + "/report.html").status_code == 404


def test_bad_upload_page_shows_the_reason(web):
    client, _, settings = web
    csrf = login(client, "coach@a.test")
    url = client.post("/athletes", data={"name": "Ann", "csrf_token": csrf}, follow_redirects=False).headers["location"]
    csrf = _csrf(client.get(url).text)
    response = client.post(f"{url}/sessions", data={"csrf_token": csrf}, files={"file": ("a.pdf", b"%PDF-1.4", "application/pdf")})
    assert response.status_code == 415 and "not a video" in response.text
    assert list(settings.sessions_dir.iterdir()) == []


def test_a_refused_session_page_links_the_diagnostic_and_shows_no_server_path(web):
    from test_api import refusing_analyser

    client, _, settings = web
    client.app.state.jobs.analyse = refusing_analyser
    csrf = login(client, "coach@a.test")
    athlete_url = client.post("/athletes", data={"name": "Ann", "csrf_token": csrf}, follow_redirects=False).headers["location"]
    csrf = _csrf(client.get(athlete_url).text)
    uploaded = client.post(f"{athlete_url}/sessions", data={"csrf_token": csrf}, files={"file": ("run.mp4", DEMO_CLIP.read_bytes(), "video/mp4")},
                           follow_redirects=False)  # fmt: skip
    session_url = uploaded.headers["location"]
    sid = int(session_url.rsplit("/", 1)[1])
    wait_for(client, sid, {})  # the cookie is accepted on GET routes
    page = client.get(session_url).text
    link = f'<a id="open-diagnostic" href="/api/sessions/{sid}/diagnostic.html"'
    assert link in page and f"see /api/sessions/{sid}/diagnostic.html for whom runform followed" in page
    assert client.get(f"/api/sessions/{sid}/diagnostic.html").status_code == 200  # the link works with the cookie
    for html in (page, client.get(athlete_url).text):
        assert str(settings.data_dir) not in html and "/out/" not in html


def test_the_athlete_form_names_its_fields_and_the_accepted_values(web):
    client, _, _ = web
    csrf = login(client, "coach@a.test")
    event = client.post("/athletes", data={"name": "Ann", "event": "javelin", "csrf_token": csrf})
    assert event.status_code == 422 and "unknown event" in event.text and "marathon" in event.text
    height = client.post("/athletes", data={"name": "Ann", "height_m": "17.8", "csrf_token": csrf})
    assert height.status_code == 422 and "e.g. 1.78" in height.text
    for response in (event, height):
        assert "runform analyze" not in response.text and "--event" not in response.text and "--height" not in response.text


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_no_cdn_documentation_pages(web, path):
    client, _, _ = web
    assert client.get(path).status_code == 404  # Swagger UI / ReDoc would load from a CDN


def test_athlete_page_does_not_reload_itself_while_a_job_runs(web):
    """It reloaded every 3 s while any session was queued or running, wiping the upload and compare
    forms a coach was filling in; it now says how to follow the job instead."""
    from datetime import date

    from runform.web import Database
    from runform.web.models import Athlete, TrainingSession

    client, _, settings = web
    csrf = login(client, "coach@a.test")
    created = client.post("/athletes", data={"name": "Ann", "csrf_token": csrf}, follow_redirects=False)
    athlete_id = int(created.headers["location"].rsplit("/", 1)[1])
    database = Database(settings.database_url)
    with database.session() as db:
        db.add(TrainingSession(athlete_id=db.get(Athlete, athlete_id).id, storage_key="7" * 32, clip_suffix=".mp4",
                               original_name="c.mp4", clip_bytes=1, session_date=date(2025, 1, 1), status="running",
                               attempts=1, progress=0.3, conditions=""))  # fmt: skip
    database.dispose()
    page = client.get(f"/athletes/{athlete_id}").text
    assert 'http-equiv="refresh"' not in page and 'id="busy"' in page


def test_athlete_edit_form_and_session_reanalyse_button(web):
    client, analyser, _ = web
    csrf = login(client, "coach@a.test")
    created = client.post("/athletes", data={"name": "Ann", "height_m": "1.07", "csrf_token": csrf}, follow_redirects=False)
    athlete_id = int(created.headers["location"].rsplit("/", 1)[1])
    saved = client.post(f"/athletes/{athlete_id}/edit", data={"name": "Ann B", "height_m": "1.70", "event": "xc", "csrf_token": csrf},
                        follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303
    page = client.get(f"/athletes/{athlete_id}").text
    assert "Ann B" in page and 'value="1.70"' in page and "<option selected>xc</option>" in page
    bad = client.post(f"/athletes/{athlete_id}/edit", data={"name": "Ann", "height_m": "170", "csrf_token": csrf})
    assert bad.status_code == 422
    upload = client.post(f"/athletes/{athlete_id}/sessions", data={"csrf_token": csrf},
                         files={"file": ("clip.mp4", DEMO_CLIP.read_bytes(), "video/mp4")}, follow_redirects=False)  # fmt: skip
    session_id = int(upload.headers["location"].rsplit("/", 1)[1])
    headers = bearer(client, "coach@a.test")
    assert wait_for(client, session_id, headers)["status"] == "done"
    assert len(analyser.calls) == 1
    assert 'id="reanalyse"' in client.get(f"/sessions/{session_id}").text  # the button shows once the job has finished
    queued = client.post(f"/sessions/{session_id}/reanalyse", data={"csrf_token": csrf}, follow_redirects=False)
    assert queued.status_code == 303 and queued.headers["location"] == f"/sessions/{session_id}"
    deadline = time.monotonic() + 30  # queued again, then analysed again with the edited athlete
    while len(analyser.calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert wait_for(client, session_id, headers)["status"] == "done"
    assert len(analyser.calls) == 2
    assert (analyser.options[-1]["height_m"], analyser.options[-1]["event"]) == (1.70, "xc")
