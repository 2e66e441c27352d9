"""Foot contact and toe-off detection: one detector for every source."""

from runform.events._foot_ground import FootGroundEventDetection
from runform.events.base import EVENT_COLUMNS, BaseEventDetection

__all__ = ["BaseEventDetection", "EVENT_COLUMNS", "FootGroundEventDetection"]
