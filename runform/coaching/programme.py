"""Knee-drive programme: weeks of drills per coaching position, plus a retest plan (data/drills.yaml)."""

from __future__ import annotations

import re

from runform.coaching.findings import Finding
from runform.coaching.profiles import cite, load


def _phase(week: int, n_weeks: int, phases: list[str]) -> str:
    return phases[min(len(phases) - 1, (week - 1) * len(phases) // n_weeks)]


#: Weekly progression inside a phase: one set (or 2 minutes, or the top of a rep range) more per
#: week, at most MAX_EXTRA_SETS sets more; runform's rule (progressive overload), not from a source.
MAX_EXTRA_SETS = 2
MINUTES_PER_STEP = 2


def progressed_dose(dose: str, step: int) -> str:
    """``dose`` after ``step`` weeks in the same phase: "3 x 10" -> "4 x 10", "6-10 reps" -> "8 reps"."""
    step = max(0, min(step, MAX_EXTRA_SETS))
    if step == 0:
        return dose
    if match := re.match(r"(\d+) x ", dose):
        return f"{int(match.group(1)) + step} x {dose[match.end():]}"
    if match := re.match(r"(\d+)-(\d+) reps", dose):
        low, high = int(match.group(1)), int(match.group(2))
        return f"{min(high, low + step * max(1, (high - low) // MAX_EXTRA_SETS))} reps{dose[match.end():]}"
    if match := re.match(r"(\d+) min", dose):
        return f"{int(match.group(1)) + MINUTES_PER_STEP * step} min{dose[match.end():]}"
    return dose


def _drill(drill_id: str, step: int = 0) -> dict:
    drill = dict(load("drills")["drills"][drill_id])
    return {"id": drill_id, "name": drill["name"], "dose": progressed_dose(drill["dose"], step), "cues": drill["cues"],
            "why": drill["why"], "source": drill["source"]}  # fmt: skip


def _week_in_phase(week: int, n_weeks: int, phases: list[str]) -> int:
    """0 for the first week of a phase, 1 for the second, ..."""
    phase = _phase(week, n_weeks, phases)
    return sum(1 for w in range(1, week) if _phase(w, n_weeks, phases) == phase)


def build(profile: str, findings: list[Finding], weeks: int = 6) -> dict:
    """``{"weeks", "sessions_per_week", "variants": {position: [week plans]}, "retest", "sources"}``.

    Sprint events have one "consensus" variant; distance events one variant per coaching position
    ("a", "b"), each getting only its own and the consensus findings' extra drills.
    """
    data = load("drills")
    spec = data["programmes"][profile]
    extra = data["for_findings"]
    variants = {}
    for position, phases in spec["variants"].items():
        relevant = [f for f in findings if f.position in ("consensus", position)]
        added = []
        for finding in relevant:
            for drill_id in extra.get(_rule_id(finding), []):
                if drill_id not in added:
                    added.append(drill_id)
        plan = []
        for week in range(1, weeks + 1):
            base = list(phases[_phase(week, weeks, list(phases))])
            drills = base + [d for d in added if d not in base]
            retest = week % data["retest"]["every_weeks"] == 0 or week == weeks
            step = _week_in_phase(week, weeks, list(phases))
            plan.append({"week": week, "sessions": spec["sessions_per_week"], "phase": _phase(week, weeks, list(phases)),
                         "drills": [_drill(d, step) for d in drills], "retest": retest,
                         "focus": [f.title for f in relevant][:3]})  # fmt: skip
        variants[position] = plan
    return {
        "weeks": weeks,
        "sessions_per_week": spec["sessions_per_week"],
        "variants": variants,
        "progression": (f"Each week within a phase adds one set (or {MINUTES_PER_STEP} min, or reps up to the top of the "
                        f"range), at most {MAX_EXTRA_SETS} more; a new phase brings new drills at the base dose."),
        "choose": _choose(profile),
        "retest": {"every_weeks": data["retest"]["every_weeks"], "filming": " ".join(data["retest"]["filming"].split()),
                   "compare_command": data["retest"]["compare_command"],
                   "source": cite(data["retest"]["source"])},  # fmt: skip
    }


def _choose(profile: str) -> str | None:
    """How to pick between the two distance programmes (None for sprint: one programme)."""
    if profile != "distance":
        return None
    positions = load("profiles")["positions"]
    return ("Pick one programme, never both. " + " ".join(" ".join(p["choose"].split()) for p in positions.values())
            + " Unsure? Follow your coach's approach, or run A for the first phase and film a retest.")


def _rule_id(finding: Finding) -> str:
    return "asymmetry" if finding.id.startswith("asymmetry") else finding.id
