"""Foot contact and toe-off detection: one detector for every source (and force-plate truth events)."""

from runform.events._foot_ground import FootGroundEventDetection
from runform.events.base import EVENT_COLUMNS, BaseEventDetection
from runform.events.force import force_events

__all__ = ["BaseEventDetection", "EVENT_COLUMNS", "FootGroundEventDetection", "force_events"]
