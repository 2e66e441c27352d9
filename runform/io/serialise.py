"""``analysis.json``: the Analysis record as strict JSON (schema version 1.0), and reading it back.

The layout is documented in README.md ("Output folder") and docs/COACHING.md. NaN and infinity
become ``null``; numpy scalars become Python numbers.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from runform.errors import InputError
from runform.model import Analysis
from runform.version import __version__

SCHEMA_VERSION = "1.0"


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    """The content of ``analysis.json``."""
    cal, kp, strides = analysis.calibration, analysis.keypoints, analysis.strides
    sides = strides.get("side", pd.Series(dtype=str))
    return _clean_json({
        "schema_version": SCHEMA_VERSION,
        "runform_version": __version__,
        "created": analysis.created,
        "source": analysis.source,
        "config": analysis.config.model_dump(mode="json"),
        "video": analysis.video,
        "keypoints": {"source": kp.source, "n_frames": kp.n_frames, "sampling_rate_hz": kp.sampling_rate_hz,
                      "processing": list(kp.log)},
        "cleaning": asdict(analysis.cleaning),
        "calibration": {
            "method": cal.method, "px_per_m": cal.px_per_m, "length_unit": cal.length_unit,
            "running_speed_mps": cal.running_speed_mps, "running_speed_px_s": cal.running_speed_px_s,
            "leg_length_px": cal.leg_length_px,
        },
        "quality": {"verdict": analysis.quality.verdict, "timing_reliable": analysis.quality.timing_reliable,
                    "checks": [asdict(c) for c in analysis.quality.checks]},
        "counts": {"events": int(len(analysis.events)), "strides": int(len(strides)),
                   "strides_left": int((sides == "left").sum()), "strides_right": int((sides == "right").sum())},
        "source_kind": analysis.source_kind,
        "event_detector": "foot-ground",
        "summary": analysis.summary,
        "coaching": analysis.coaching,
        "curves": analysis.curves,
        "timings_s": analysis.timings_s,
    })  # type: ignore[return-value]  # fmt: skip


def analysis_to_json(analysis: Analysis) -> str:
    return json.dumps(analysis_to_dict(analysis), indent=2)


def load_analysis_json(path: str | Path) -> dict[str, Any]:
    """Read an ``analysis.json`` written by ``runform analyze`` (for retest comparisons)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"File not found: {path}", expected="an analysis.json written by runform analyze") from None
    except (json.JSONDecodeError, UnicodeDecodeError, IsADirectoryError):
        raise InputError(f"{path.name} is not a runform analysis.json", expected="JSON from runform analyze",
                         fix="give the analysis.json inside the output folder") from None  # fmt: skip
    if not isinstance(data, dict) or "summary" not in data or "schema_version" not in data:
        raise InputError(f"{path.name} is not a runform analysis.json", expected="keys schema_version and summary",
                         found=", ".join(list(data)[:5]) if isinstance(data, dict) else type(data).__name__)  # fmt: skip
    return data


def _clean_json(obj: object) -> object:
    """NaN/inf -> None and numpy scalars -> Python, recursively (strict JSON)."""
    if isinstance(obj, dict):
        return {str(k): _clean_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean_json(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return None if not math.isfinite(float(obj)) else float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj
