"""Knee-drive programme: weeks of drills per coaching position, plus a retest plan (data/drills.yaml)."""

from __future__ import annotations

from runform.coaching.findings import Finding
from runform.coaching.profiles import cite, load


def _phase(week: int, n_weeks: int, phases: list[str]) -> str:
    return phases[min(len(phases) - 1, (week - 1) * len(phases) // n_weeks)]


def _drill(drill_id: str) -> dict:
    drill = dict(load("drills")["drills"][drill_id])
    return {"id": drill_id, "name": drill["name"], "dose": drill["dose"], "cues": drill["cues"], "why": drill["why"],
            "source": drill["source"]}  # fmt: skip


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
            plan.append({"week": week, "sessions": spec["sessions_per_week"], "drills": [_drill(d) for d in drills],
                         "retest": retest, "focus": [f.title for f in relevant][:3]})  # fmt: skip
        variants[position] = plan
    return {
        "weeks": weeks,
        "sessions_per_week": spec["sessions_per_week"],
        "variants": variants,
        "retest": {"every_weeks": data["retest"]["every_weeks"], "filming": " ".join(data["retest"]["filming"].split()),
                   "source": cite(data["retest"]["source"])},  # fmt: skip
    }


def _rule_id(finding: Finding) -> str:
    return "asymmetry" if finding.id.startswith("asymmetry") else finding.id
