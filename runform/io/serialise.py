"""``analysis.json``: the Analysis record as strict JSON, and reading it back.

The layout is the JSON Schema ``analysis.schema.json`` next to this module (version
:data:`SCHEMA_VERSION`; :func:`validate_analysis` checks a dict against it), documented in
README.md ("Output folder") and docs/COACHING.md. NaN and infinity become ``null``; numpy scalars
become Python numbers. ``config.event`` is the event the coaching used (the default filled in),
``config.event_given`` says whether the user chose it.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from runform.errors import InputError
from runform.model import Analysis
from runform.version import __version__

#: 1.1: config.event resolved (+ event_given), per-side "reliable", coaching.legs / step_length.
#: 1.2: ``persons`` (who was tracked, who was analysed and how sure, the passes and their strides).
#: 1.3: a leg metric's ``headline_side`` (one reliable leg), ``video.decoding_stopped_at_s``.
#: 1.4: ``config.clip_name`` (the clip's name in reports, e.g. an upload's own file name);
#:      ``coaching.knee_lift.at_speed`` / ``speed_note`` (knee lift of runners at the clip's speed).
#: 1.5: ``coaching.programme.retest.weeks`` (a retest closes each phase) replaces ``every_weeks``; a
#:      week's ``phase`` names its phase's weeks in this programme ("1-3" of 8 weeks).
#: 1.6: ``video.repeated_frames`` / ``repeated_frames_text`` (frames repeating the previous picture,
#:      left out), ``video.picture_fps`` (the rate of the pictures analysed: repeats and ``--fast``'s
#:      skipped frames left out) and the quality check ``repeated_frames``; ``frame_rate`` judges it.
#: 1.7: ``video.pose_frame_step`` (the pose model ran on every n-th frame: 2 with ``--fast``, else 1).
#: 1.8: a metric's ``left`` / ``right`` carry their own ``uncertainty`` (that leg's strides); a
#:      finding's ``cutoff`` (who set its threshold: runform or a source id).
#: 1.9: meanings changed (docs/METRICS.md): a stride's ``step_time_s`` / ``step_length_*`` are the
#:      step that lands on its foot (were the step it starts), ``vertical_oscillation_*`` is one
#:      step's range (was the stride's) and ``vertical_ratio_pct`` divides it by the step length (was
#:      the stride length); ``symmetry_index_pct`` divides by the mean of |L| and |R|; an angle's
#:      asymmetry finding has its value in degrees (left - right); ``persons`` pass times are in the
#:      run's clock. Compare sessions of one version.
SCHEMA_VERSION = "1.9"
SCHEMA_FILE = "analysis.schema.json"


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    """The content of ``analysis.json``."""
    cal, kp, strides = analysis.calibration, analysis.keypoints, analysis.strides
    sides = strides.get("side", pd.Series(dtype=str))
    return _clean_json({
        "schema_version": SCHEMA_VERSION,
        "runform_version": __version__,
        "created": analysis.created,
        "source": analysis.source,
        "config": _config(analysis),
        "video": analysis.video,
        "persons": None if analysis.persons is None else analysis.persons.as_dict(_stride_starts(strides)),
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


def _stride_starts(strides: pd.DataFrame) -> np.ndarray:
    return strides["start_time_s"].to_numpy(dtype=float) if "start_time_s" in strides else np.zeros(0)


def _config(analysis: Analysis) -> dict[str, Any]:
    """The config with the event the coaching resolved (e.g. the default "10k"), not None."""
    config = analysis.config.model_dump(mode="json")
    config["event_given"] = config.get("event") is not None
    if config.get("event") is None and analysis.coaching:
        config["event"] = analysis.coaching.get("event")
    return config


def analysis_schema() -> dict[str, Any]:
    """The JSON Schema of ``analysis.json`` (draft 2020-12), shipped in the package."""
    return json.loads((resources.files("runform.io") / SCHEMA_FILE).read_text(encoding="utf-8"))


def validate_analysis(data: dict[str, Any]) -> None:
    """Raise :class:`~runform.errors.InputError` when ``data`` does not follow the schema."""
    import jsonschema  # imported on use: only validation needs it

    validator = jsonschema.Draft202012Validator(analysis_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise InputError("The analysis does not follow the analysis.json schema",
                         expected=f"schema version {SCHEMA_VERSION} (runform/io/{SCHEMA_FILE})",
                         found=f"at {where}: {error.message}", fix="re-run runform analyze with this version")  # fmt: skip


def analysis_to_json(analysis: Analysis) -> str:
    return json.dumps(analysis_to_dict(analysis), indent=2)


def load_analysis_json(path: str | Path) -> dict[str, Any]:
    """Read an ``analysis.json`` written by ``runform analyze`` (for retest comparisons); an output
    folder stands for the ``analysis.json`` inside it."""
    path = Path(path)
    if path.is_dir():
        if not (path / "analysis.json").is_file():
            raise InputError(f"No analysis.json in the folder {path}", expected="an output folder of runform analyze",
                             found=", ".join(sorted(p.name for p in path.iterdir())[:5]) or "an empty folder",
                             fix="give the folder that runform analyze -o wrote, or its analysis.json")  # fmt: skip
        path = path / "analysis.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"File not found: {path}", expected="an analysis.json written by runform analyze, or its output folder",
                         found="no such file or folder", fix="check the path (runform analyze -o FOLDER wrote it)") from None  # fmt: skip
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(f"{path.name} is not a runform analysis.json", expected="JSON from runform analyze",
                         found="a file that is not JSON", fix="give the analysis.json inside the output folder") from None  # fmt: skip
    if not isinstance(data, dict) or "summary" not in data or "schema_version" not in data:
        raise InputError(f"{path.name} is not a runform analysis.json", expected="keys schema_version and summary",
                         found=", ".join(list(data)[:5]) if isinstance(data, dict) else type(data).__name__,
                         fix="give the analysis.json inside a runform analyze output folder")  # fmt: skip
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
