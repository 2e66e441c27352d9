"""The two tables of a run: gait events and per-stride metrics (pandas DataFrames).

``events``: one row per event, columns :data:`EVENT_COLUMNS`: ``frame`` (nearest decoded frame),
``time_s`` (sub-frame), ``side`` (the runner's anatomical ``left``/``right``), ``event``
(``contact``/``toe_off``), ``confidence`` (0-1).

``strides``: one row per stride and side; the identifying columns are :data:`STRIDE_ID_COLUMNS`,
every other numeric column is a metric whose unit ends its name (docs/METRICS.md).
"""

from __future__ import annotations

import pandas as pd

from runform.errors import AnalysisError

EVENT_COLUMNS = ["frame", "time_s", "side", "event", "confidence"]
EVENT_KINDS: tuple[str, ...] = ("contact", "toe_off")
#: Columns of the stride table that are not metrics.
#: Columns of the strides table that identify a stride or a moment in it (not metrics);
#: ``max_thigh_frame``: the frame of the swing's highest knee lift (a finding's evidence points there).
STRIDE_ID_COLUMNS = ("side", "contact_frame", "toe_off_frame", "next_contact_frame", "max_thigh_frame", "start_time_s",
                     "foot_strike")  # fmt: skip


def empty_events() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(EVENT_COLUMNS, [int, float, str, str, float])})


def check_events_table(events: pd.DataFrame) -> None:
    """Raise :class:`AnalysisError` unless ``events`` has the event columns and known kinds and sides."""
    if not isinstance(events, pd.DataFrame) or not set(EVENT_COLUMNS) <= set(events.columns):
        found = ", ".join(map(str, getattr(events, "columns", []))) or type(events).__name__
        raise AnalysisError("Event table has the wrong columns", expected=", ".join(EVENT_COLUMNS), found=found)
    if len(events) and not (events["event"].isin(EVENT_KINDS).all() and events["side"].isin(("left", "right")).all()):
        raise AnalysisError("Event table has unknown kinds or sides", expected="contact/toe_off, left/right",
                            found=", ".join(sorted(set(events["event"]) | set(events["side"]))))  # fmt: skip


def check_strides_table(strides: pd.DataFrame) -> None:
    """Raise :class:`AnalysisError` unless ``strides`` is a DataFrame with a ``side`` column (when not empty)."""
    if not isinstance(strides, pd.DataFrame) or (len(strides) and "side" not in strides.columns):
        raise AnalysisError("Stride table has the wrong layout", expected="a DataFrame with a side column",
                            found=type(strides).__name__)  # fmt: skip

