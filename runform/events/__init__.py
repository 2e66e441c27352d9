"""Foot contact and toe-off detection (and force-plate truth events for validation)."""

from runform.events._foot_position import EVENT_PROFILES, FootPositionEventDetection, profile_for
from runform.events.base import EVENT_COLUMNS, BaseEventDetection
from runform.events.force import force_events

__all__ = ["BaseEventDetection", "EVENT_COLUMNS", "EVENT_PROFILES", "FootPositionEventDetection", "force_events", "profile_for"]
