"""Truth events from a force plate: contacts and toe-offs where the vertical force crosses a threshold.

Used to validate the pose-based detectors on the RBDS data (forces read by
:func:`runform.io.mocap.from_rbds_forces`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from runform.kinematics import lowpass_series


def force_events(forces: pd.DataFrame, threshold_n: float = 50.0, cutoff_hz: float = 50.0, min_stance_s: float = 0.08) -> pd.DataFrame:
    """Contacts/toe-offs from the vertical force: up/down crossings of ``threshold_n`` after a
    zero-lag 50 Hz low-pass, interpolated between samples; bursts < 80 ms dropped (RBDS README)."""
    t = forces["time_s"].to_numpy()
    fy = lowpass_series(forces["vertical_force_n"].to_numpy(), cutoff_hz, 1 / np.median(np.diff(t)))
    above = fy > threshold_n
    edges = np.flatnonzero(np.diff(above.astype(int)))
    rows = []
    for i in edges:
        frac = (threshold_n - fy[i]) / (fy[i + 1] - fy[i])
        rows.append((t[i] + frac * (t[i + 1] - t[i]), "contact" if above[i + 1] else "toe_off"))
    events = pd.DataFrame(rows, columns=["time_s", "event"])
    keep = []
    for k in range(len(events) - 1):
        a, b = events.iloc[k], events.iloc[k + 1]
        if a["event"] == "contact" and b["event"] == "toe_off" and b["time_s"] - a["time_s"] >= min_stance_s:
            keep += [k, k + 1]
    return events.iloc[keep].reset_index(drop=True)
