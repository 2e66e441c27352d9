"""Event profiles, coaching positions and sources, read from the cited data files in ``data/``."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from runform.config import DEFAULT_EVENT


@cache
def load(name: str) -> dict:
    text = (resources.files("runform.coaching") / "data" / f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def event_profile(event: str | None) -> tuple[str, str, dict]:
    """(event, profile name, event entry) for ``--event`` (None -> :data:`runform.config.DEFAULT_EVENT`,
    the one definition of the default event: ``data/profiles.yaml`` holds the events, not the default)."""
    data = load("profiles")
    event = event or DEFAULT_EVENT
    entry = data["events"][event]
    return event, entry["profile"], entry


def knee_lift_band(event: str | None) -> dict:
    """The event's knee-lift band (degrees; ``low``, ``high``, ``elite``, ``source``): its profile's,
    moved up by the event's ``knee_lift_bonus_deg`` (xc and trail: +5), as the knee-lift findings'
    thresholds are (:func:`runform.coaching.findings.evaluate`)."""
    _, profile, entry = event_profile(event)
    band = dict(load("profiles")["profiles"][profile]["knee_lift_deg"])
    bonus = float(entry.get("knee_lift_bonus_deg", 0))
    for edge in ("low", "high"):
        if band.get(edge) is not None and bonus:
            band[edge] = band[edge] + bonus
    return band


def cite(ids: list[str]) -> list[dict[str, str]]:
    sources = load("sources")
    return [{"id": i, "reference": sources[i]} for i in ids]
