"""Knee-drive programme: weeks of drills per coaching position, plus a retest plan (data/drills.yaml)."""

from __future__ import annotations

import re

from runform.coaching.findings import Finding
from runform.coaching.profiles import cite, load


def phases(n_weeks: int, names: list[str]) -> list[tuple[str, int, int]]:
    """The programme's phases as (template phase, first week, last week): ``n_weeks`` split as evenly
    as the template's phases allow (earlier phases take the extra week: 8 weeks -> 1-3, 4-6, 7-8);
    a programme shorter than the template keeps its first phases, one week each."""
    k = max(1, min(len(names), n_weeks))
    base, extra = divmod(n_weeks, k)
    out, first = [], 1
    for i in range(k):
        last = first + base + (1 if i < extra else 0) - 1
        out.append((names[i], first, last))
        first = last + 1
    return out


def retest_weeks(spans: list[tuple[str, int, int]], min_weeks_apart: int) -> list[int]:
    """Retest at the end of each phase (what the phase's drills did), at least ``min_weeks_apart``
    after the previous one (or the start), and at the end of the programme."""
    weeks: list[int] = []
    for _, _, last in spans:
        if last - (weeks[-1] if weeks else 0) >= min_weeks_apart:
            weeks.append(last)
    end = spans[-1][2]
    if not weeks or weeks[-1] != end:
        if weeks and end - weeks[-1] < min_weeks_apart:
            weeks.pop()  # too close to the end: the final retest replaces it
        weeks.append(end)
    return weeks


def _weeks_label(first: int, last: int) -> str:
    return f"{first}-{last}" if last > first else f"{first}"


#: Weekly progression of a drill kept from week to week (across phases): one set (or 2 minutes, or
#: a step up its rep range) more per week, at most MAX_EXTRA_SETS steps above its first week;
#: runform's rule (progressive overload), not from a source.
MAX_EXTRA_SETS = 2
MINUTES_PER_STEP = 2


def progressed_dose(dose: str, step: int) -> str:
    """``dose`` after ``step`` earlier weeks of the drill: "3 x 10" -> "4 x 10"; a rep range starts at
    its low end and climbs to its top: "6-10 reps" -> "6 reps", "8 reps", "10 reps"."""
    step = max(0, min(step, MAX_EXTRA_SETS))
    if match := re.match(r"(\d+)-(\d+) reps", dose):
        low, high = int(match.group(1)), int(match.group(2))
        return f"{min(high, low + step * max(1, (high - low) // MAX_EXTRA_SETS))} reps{dose[match.end():]}"
    if step == 0:
        return dose
    if match := re.match(r"(\d+) x ", dose):
        return f"{int(match.group(1)) + step} x {dose[match.end():]}"
    if match := re.match(r"(\d+) min", dose):
        return f"{int(match.group(1)) + MINUTES_PER_STEP * step} min{dose[match.end():]}"
    return dose


def _drill(drill_id: str, step: int = 0) -> dict:
    drill = dict(load("drills")["drills"][drill_id])
    return {"id": drill_id, "name": drill["name"], "dose": progressed_dose(drill["dose"], step), "cues": drill["cues"],
            "why": drill["why"], "source": drill["source"]}  # fmt: skip


def build(profile: str, findings: list[Finding], weeks: int = 6) -> dict:
    """``{"weeks", "sessions_per_week", "variants": {position: [week plans]}, "retest", "sources"}``.

    Sprint events have one "consensus" variant; distance events one variant per coaching position
    ("a", "b"), each getting only its own and the consensus findings' extra drills.
    """
    data = load("drills")
    spec = data["programmes"][profile]
    extra = data["for_findings"]
    variants = {}
    for position, template in spec["variants"].items():
        spans = phases(weeks, list(template))
        retests = retest_weeks(spans, data["retest"]["min_weeks_apart"])
        relevant = [f for f in findings if f.position in ("consensus", position)]
        added = []
        for finding in relevant:
            for drill_id in extra.get(_rule_id(finding), []):
                if drill_id not in added and _fits(drill_id, profile, position):
                    added.append(drill_id)
        plan, streak = [], {}  # drill id -> weeks in a row it has been in the plan up to last week
        for name, first, last in spans:
            for week in range(first, last + 1):
                base = list(template[name])
                drills = base + [d for d in added if d not in base]
                plan.append({"week": week, "sessions": spec["sessions_per_week"], "phase": _weeks_label(first, last),
                             "drills": [_drill(d, streak.get(d, 0)) for d in drills], "retest": week in retests,
                             "focus": [f.title for f in relevant][:3]})  # fmt: skip
                streak = {d: streak.get(d, 0) + 1 for d in drills}  # a drill left out starts again at its base dose
        variants[position] = plan
    return {
        "weeks": weeks,
        "sessions_per_week": spec["sessions_per_week"],
        "variants": variants,
        "progression": (f"Each week a drill is kept it adds one set (or {MINUTES_PER_STEP} min, or reps towards the top "
                        f"of its range), at most {MAX_EXTRA_SETS} steps above its first week; a drill new in a phase, or "
                        "back after a break, starts at its base dose."),
        "choose": _choose(profile),
        "retest": {"weeks": retests, "filming": " ".join(data["retest"]["filming"].split()),
                   "compare_command": data["retest"]["compare_command"],
                   "source": cite(data["retest"]["source"])},  # fmt: skip
    }


def _fits(drill_id: str, profile: str, position: str) -> bool:
    """Whether a drill may join this programme: made for its profile and, in a distance programme,
    for its coaching position (drills of active knee drive belong to Position B only)."""
    drill = load("drills")["drills"][drill_id]
    return profile in drill["profiles"] and (profile != "distance" or position in drill.get("positions", [position]))


def _choose(profile: str) -> str | None:
    """How to pick between the two distance programmes (None for sprint: one programme)."""
    if profile != "distance":
        return None
    positions = load("profiles")["positions"]
    return ("Pick one programme, never both. " + " ".join(" ".join(p["choose"].split()) for p in positions.values())
            + " Unsure? Follow your coach's approach, or run A for the first phase and film a retest.")


def _rule_id(finding: Finding) -> str:
    return "asymmetry" if finding.id.startswith("asymmetry") else finding.id
