"""What a coach sees: the athlete's trend charts (server-drawn SVG) and the programme page's weekly
plan, and drill doses that say what is repeated and in which unit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fixtures.web import DEMO_CLIP, PASSWORD, bearer, database_url, replay_folder, wait_for, web  # noqa: F401 - fixtures

from runform.coaching.profiles import load
from runform.coaching.programme import progressed_dose
from runform.web.trends import _FONT, _H, _PAD_B, _PAD_L, _PAD_R, _PAD_T, _W, svg_plot


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, email: str) -> str:  # noqa: ANN001
    token = _csrf(client.get("/login").text)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
    return _csrf(client.get("/").text)


def _metric(n: int, per_side: bool = True, band: dict | None = None, unit: str = "deg") -> dict:
    dates = [(dt.date(2024, 12, 20) + dt.timedelta(days=7 * i)).isoformat() for i in range(n)]
    sides = ("left", "right") if per_side else ("both",)
    return {"label": "Knee lift", "unit": unit, "band": band,
            "series": [{"side": side, "points": [{"session_id": i + 1, "date": d, "value": 20.0 + (i % 5) + k, "uncertainty": 2.5,
                                                  "mdc95": 1.0} for i, d in enumerate(dates)]}
                       for k, side in enumerate(sides)]}  # fmt: skip


def _texts(svg: str, cls: str) -> list[tuple[float, str]]:
    return [(float(x), text) for x, text in re.findall(rf'<text class="{cls}" x="([\d.]+)"[^>]*>([^<]*)</text>', svg)]


@pytest.mark.parametrize("n", [1, 2, 6, 12, 30, 80])
def test_date_labels_never_overlap_and_the_latest_session_is_labelled(n):
    svg = svg_plot(_metric(n))
    dates = _texts(svg, "date")
    assert 1 <= len(dates) <= n and dates[-1][1] == "{} {}".format(*_latest_day_month(n))
    for (x0, a), (x1, b) in zip(dates, dates[1:]):
        assert x1 - x0 >= (len(a) + len(b)) / 2 * 0.6 * _FONT, (a, b)  # centred labels: half of each, apart
    assert all(x - len(t) * 0.3 * _FONT >= 0 and x + len(t) * 0.3 * _FONT <= _W for x, t in dates)  # inside the chart
    years = _texts(svg, "year")
    assert years[0][0] == dates[0][0] and years[0][1] in ("2024", "2025")  # the year under the first label ...
    assert len(years) == len({y for _, y in years})  # ... and again only where it changes
    assert svg.count('class="xtick"') == n  # every session has its tick mark
    assert svg.count('<circle class="point left"') == svg.count('<circle class="point right"') == n


def _latest_day_month(n: int) -> tuple[int, str]:
    last = dt.date(2024, 12, 20) + dt.timedelta(days=7 * (n - 1))
    return last.day, last.strftime("%b")


def test_y_ticks_are_round_and_cover_the_points_the_bars_and_the_band():
    svg = svg_plot(_metric(6, band={"low": 35.0, "high": 50.0, "source": "knee-lift band"}))
    ticks = [float(t) for _, t in _texts(svg, "tick")]
    assert 3 <= len(ticks) <= 8 and all(t == round(t) and t % 5 == 0 for t in ticks)
    assert ticks[0] <= 20.0 - 2.5 and ticks[-1] >= 50.0
    band = re.search(r'<rect class="band" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)
    x, y, w, h = map(float, band.groups())
    assert x == _PAD_L and x + w == _W - _PAD_R and y >= _PAD_T and y + h <= _H - _PAD_B and h > 20
    assert svg.count('class="band-edge"') == 2
    assert '<text class="unit"' in svg and ">deg</text>" in svg
    legend = re.search(r'<g class="legend">(.*?)</g>', svg).group(1)
    assert all(word in legend for word in (">left<", ">right<", "± uncertainty", "reference band"))
    assert svg.count('<path class="err"') == 12  # one bar per point


@pytest.mark.parametrize("band, edge", [({"low": None, "high": 10.0}, "high"), ({"low": 155.0, "high": None}, "low")])
def test_an_open_band_is_visible_beyond_its_edge(band, edge):
    values = {"high": 30.0, "low": 150.0}[edge]  # points on the far side of the edge (the band would be a line)
    metric = _metric(3, per_side=False, band=band | {"source": "finding thresholds"})
    for p in metric["series"][0]["points"]:
        p["value"] = values
    svg = svg_plot(metric)
    height = float(re.search(r'<rect class="band"[^>]* height="([\d.]+)"', svg).group(1))
    assert height >= 0.1 * (_H - _PAD_T - _PAD_B)
    assert svg.count('class="band-edge"') == 1 and "value ± uncertainty" in svg


def test_no_session_yet_keeps_the_chart_size():
    svg = svg_plot({"label": "Cadence", "unit": "steps/min", "band": None, "series": [{"side": "both", "points": []}]})
    assert f'viewBox="0 0 {_W} {_H}"' in svg and "no finished session yet" in svg and "point" not in svg


def test_every_dose_says_what_is_repeated_and_its_unit():
    """One style: "<sets> x <amount> <unit>[ qualifier]" ("3 x 20 m", "3 x 20 hops", "3 x 12 reps per leg"),
    or a rep range or minutes where runform progresses those ("6-10 reps ...", "10 min ..."); and the
    weekly progression still applies to every dose."""
    style = re.compile(r"^(\d+ x \d+(-\d+)? (m|s|reps|hops)\b|\d+-\d+ reps of |\d+ min )")
    for drill_id, drill in load("drills")["drills"].items():
        assert style.match(drill["dose"]), (drill_id, drill["dose"])
        assert progressed_dose(drill["dose"], 1) != drill["dose"], drill_id


def test_programme_page_is_a_weekly_plan_with_retests_marked(web):
    client, _, _ = web
    csrf = login(client, "coach@a.test")
    athlete_url = client.post("/athletes", data={"name": "Ann", "event": "10k", "csrf_token": csrf}, follow_redirects=False).headers["location"]
    page = client.get(athlete_url)
    upload = client.post(f"{athlete_url}/sessions", data={"csrf_token": _csrf(page.text), "session_date": "2025-01-02"},
                         files={"file": ("run.mp4", DEMO_CLIP.read_bytes(), "video/mp4")}, follow_redirects=False)  # fmt: skip
    wait_for(client, int(upload.headers["location"].rsplit("/", 1)[1]), bearer(client, "coach@a.test"))
    html = client.get(f"{athlete_url}/programme").text
    variants = re.findall(r'<section class="variant" id="variant-(\w+)">', html)
    assert variants and '<div class="variants' in html
    weeks = re.findall(r'<article class="card week( retest)?"><h3>Week (\d+)', html)
    assert len(weeks) == 6 * len(variants)
    assert [int(w) for flag, w in weeks if flag] == [2, 4, 6] * len(variants)  # retest weeks carry the class and a badge
    assert html.count('<span class="badge retest">Retest</span>') == 3 * len(variants) + 1  # + the retest how-to
    assert "retest in weeks 2, 4 and 6" in html
    drills = re.findall(r'<li><span class="drill">([^<]+)</span> <span class="dose">([^<]+)</span></li>', html)
    assert drills and all(dose.strip() for _, dose in drills)


def test_unreliable_points_are_hollow_and_say_why():
    """A poorly tracked far leg and a contact time the gate marked unreliable were plotted like any
    other point (the report and the terminal mark them); they are hollow now, with the reason."""
    from runform.web.trends import _reliability

    assert _reliability({"reliable": False}, "both")[0] is False
    assert _reliability({"left": {"reliable": False}}, "left") == (False, "far leg, poorly tracked")
    assert _reliability({"headline_side": "right"}, "both") == (True, "right leg only (the other poorly tracked)")
    metric = _metric(3, band={"low": 35.0, "high": 50.0, "source": "knee-lift band"})
    metric["series"][0]["points"][1].update(reliable=False, note="far leg, poorly tracked")
    svg = svg_plot(metric)
    assert svg.count('class="point left unreliable"') == 1 and svg.count('<circle class="point left"') == 2
    assert "far leg, poorly tracked" in svg
    legend = re.search(r'<g class="legend">(.*?)</g>', svg).group(1)
    assert ">unreliable<" in legend
    x0 = float(re.search(r'<g class="legend"><(?:rect|circle|path)[^>]*?(?:x|cx)="([\d.]+)"', svg).group(1))
    assert x0 >= 0  # five legend items still fit in the chart's width
