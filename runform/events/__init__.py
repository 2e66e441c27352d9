"""Foot contact and toe-off detection."""

from runform.events._foot_position import FootPositionEventDetection
from runform.events.base import EVENT_COLUMNS, BaseEventDetection

__all__ = ["BaseEventDetection", "EVENT_COLUMNS", "FootPositionEventDetection"]
