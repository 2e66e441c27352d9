"""Foot contact and toe-off detection."""

from runform.events._foot_position import EVENT_PROFILES, FootPositionEventDetection, profile_for
from runform.events.base import EVENT_COLUMNS, BaseEventDetection

__all__ = ["BaseEventDetection", "EVENT_COLUMNS", "EVENT_PROFILES", "FootPositionEventDetection", "profile_for"]
