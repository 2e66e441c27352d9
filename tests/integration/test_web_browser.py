"""The coach's whole flow in Debian Chromium (Playwright), on the real pipeline: log in, create an
athlete, upload the demo clip, watch the job finish, open the report, upload a second session, see
the trend, compare, log out; a second coach cannot reach the first coach's athlete. Two real
analyses of the 12 s demo clip (about 40 s). Screenshots go to web-*.png in fixtures.browser.ARTIFACTS (outside the repository)."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from fixtures.browser import ARTIFACTS
from fixtures.web import DEMO_CLIP, PASSWORD, LiveServer, add_coach, make_settings

from runform.web import create_app


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web-browser")
    url = f"sqlite:///{tmp / 'web.sqlite3'}"
    add_coach(url, "coach@a.test", admin=True)
    add_coach(url, "coach@b.test")
    settings = make_settings(tmp / "data", url, executor="process", workers=1)
    with LiveServer(create_app(settings)) as server:  # the real analyser, in a worker process
        yield server


def _login(page, base: str, email: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _upload(page, date: str) -> str:  # noqa: ANN001
    page.goto(page.url)  # a fresh load: Playwright's selector context is then reliably ready (Chromium 156)
    page.wait_for_selector("#upload input[name=session_date]", state="attached")
    page.fill("#upload input[name=session_date]", date)
    page.set_input_files("#upload input[name=file]", str(DEMO_CLIP))
    page.click("#upload button[type=submit]")
    page.wait_for_url(re.compile(r".*/sessions/\d+$"))
    page.wait_for_selector('#job[data-status="done"], #job[data-status="failed"], #job[data-status="refused"]', timeout=120_000)
    assert page.get_attribute("#job", "data-status") == "done", page.inner_text("#job")
    return page.url


@pytest.mark.slow
@pytest.mark.video
def test_coach_flow_in_chromium(browser, live):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    base = live.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{base}/")
    assert page.url == f"{base}/login"
    page.screenshot(path=str(ARTIFACTS / "web-login.png"))
    _login(page, base, "coach@a.test")
    page.fill("#new-athlete input[name=name]", "Ann Runner")
    page.fill("#new-athlete input[name=height_m]", "1.75")
    page.select_option("#new-athlete select[name=event]", "10k")
    page.click("#new-athlete button[type=submit]")
    page.wait_for_url(re.compile(r".*/athletes/\d+$"))
    athlete_url = page.url

    first = _upload(page, "2025-03-01")
    assert page.locator("#findings").count() == 1
    assert page.locator("video#video").count() == 1
    page.frame_locator("iframe#report").locator("section#headline").wait_for()
    meta = page.frame_locator("iframe#report").locator("div.meta").first.inner_text()
    assert meta.startswith(DEMO_CLIP.name), meta  # the uploaded file's own name, not the stored clip.mp4
    page.screenshot(path=str(ARTIFACTS / "web-session.png"), full_page=False)
    report = context.new_page()
    report.goto(base + page.get_attribute("#open-report", "href"))
    assert report.locator("section#headline").is_visible()
    report.close()

    page.goto(athlete_url)
    second = _upload(page, "2025-04-12")
    page.goto(athlete_url)
    assert page.locator("#sessions tbody tr").count() == 2
    assert page.locator("svg.trend circle.point").count() >= 2 * 6  # 2 sessions x (L + R knee lift + 4 metrics)
    assert page.locator("svg.trend rect.band").count() >= 3
    page.screenshot(path=str(ARTIFACTS / "web-athlete.png"), full_page=True)

    page.click("#compare button[type=submit]")
    page.wait_for_selector("#comparison tbody tr")
    assert page.locator("#comparison tbody tr").count() > 5
    page.screenshot(path=str(ARTIFACTS / "web-compare.png"))
    page.goto(f"{athlete_url}/programme")
    assert page.locator(".week").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "web-programme.png"))

    page.goto(f"{base}/")
    page.screenshot(path=str(ARTIFACTS / "web-athletes.png"))
    page.click("#logout")
    page.wait_for_url(f"{base}/login")
    page.goto(first)
    assert page.url == f"{base}/login"  # logged out: nothing is served

    # a second coach: not by page, not by direct URL, not by API
    _login(page, base, "coach@b.test")
    assert "Ann Runner" not in page.content()
    for url in (athlete_url, first, second, f"{athlete_url}/programme"):
        response = page.goto(url)
        assert response.status == 404, url
    session_id = first.rsplit("/", 1)[1]
    for suffix in ("", "/report.html", "/annotated.mp4", "/analysis.json"):
        assert page.request.get(f"{base}/api/sessions/{session_id}{suffix}").status == 404
    assert all(u.startswith(base) or u.startswith(("data:", "blob:", "about:")) for u in requests), [u for u in requests if not u.startswith(base)][:5]
    assert errors == []
    context.close()


def test_upload_date_defaults_to_the_browsers_day(browser, live):
    """The upload form's default date is the coach's own day, not the server's: a browser in a
    time zone where it is already another day than on the server gets that day."""
    server_day = date.today()  # the server runs in this process
    zone = next(z for z in ("Pacific/Kiritimati", "Pacific/Pago_Pago") if datetime.now(ZoneInfo(z)).date() != server_day)
    context = browser.new_context(timezone_id=zone)
    page = context.new_page()
    _login(page, live.url, "coach@b.test")
    page.fill("#new-athlete input[name=name]", "Zone Runner")
    page.fill("#new-athlete input[name=height_m]", "1.70")
    page.click("#new-athlete button[type=submit]")
    page.wait_for_url(re.compile(r".*/athletes/\d+$"))
    before = datetime.now(ZoneInfo(zone)).date()
    shown = page.input_value("#upload input[name=session_date]")
    after = datetime.now(ZoneInfo(zone)).date()
    assert shown in {before.isoformat(), after.isoformat()}, (zone, shown)
    assert shown != server_day.isoformat()
    context.close()
