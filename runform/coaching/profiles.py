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


def cite(ids: list[str]) -> list[dict[str, str]]:
    sources = load("sources")
    return [{"id": i, "reference": sources[i]} for i in ids]
