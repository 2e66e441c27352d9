"""Typed settings, validated once, in one place.

Every threshold that a user may want to change lives here with its unit in the name. Algorithm
constants that are not user settings live as ``__init__`` parameters of the algorithm objects,
each documented with its source.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from runform.errors import OptionError

#: Events accepted by ``--event`` (profiles are defined in ``coaching/data/profiles.yaml``).
EVENT_NAMES: tuple[str, ...] = (
    "100m", "200m", "400m", "800m", "1500m", "mile", "3k", "5k", "10k", "half", "marathon",
    "xc", "trail", "hill-sprint",
)  # fmt: skip

#: The event used when ``--event`` is not given: the one definition (coaching reads it from here).
DEFAULT_EVENT = "10k"
#: Command-line flags whose names differ from the Config field they set (used in error messages).
OPTION_FLAGS = {"height_m": "--height", "treadmill_speed_mps": "--treadmill-speed", "programme_weeks": "--weeks",
                "slow_motion_factor": "--slow-motion", "runner_name": "--name", "start_s": "--start",
                "end_s": "--end", "pose_workers": "--pose-workers", "frame_memory_mib": "--frame-memory",
                "write_report": "--report", "write_video": "--video"}  # fmt: skip
_LENGTH_UNITS = {"m": 1.0, "cm": 0.01, "mm": 0.001}
_SPEED_UNITS = {"m/s": 1.0, "mps": 1.0, "km/h": 1 / 3.6, "kmh": 1 / 3.6, "kph": 1 / 3.6, "mph": 0.44704}
#: Treadmill belt speeds outside this range are refused as typos (walking 0.5 m/s ... 45 km/h).
TREADMILL_SPEED_RANGE_MPS = (0.5, 12.5)
HEIGHT_RANGE_M = (0.8, 2.5)


def parse_speed_mps(text: str | float) -> float:
    """Parse ``3.5``, ``3.5m/s``, ``12.6 km/h`` or ``8mph`` into metres per second."""
    if isinstance(text, (int, float)):
        return float(text)
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-z/]*)\s*", str(text).lower())
    if not match or (match.group(2) and match.group(2) not in _SPEED_UNITS):
        raise OptionError(
            f"Cannot read the treadmill speed '{text}'",
            expected="a number in m/s, or with a unit: 3.5, 3.5m/s, 12.6km/h, 8mph",
            found=repr(text),
            fix="write e.g. --treadmill-speed 12.6km/h",
        )
    return float(match.group(1)) * _SPEED_UNITS[match.group(2) or "m/s"]


def parse_known_distance(text: str) -> tuple[float, float, float, float, float]:
    """Parse ``x1,y1,x2,y2,distance`` (two image points in pixels and their true distance: metres,
    or with a unit: ``1.2m``, ``120cm``, ``1200mm``)."""
    parts = [p.strip() for p in str(text).split(",")]
    unit = re.fullmatch(r"([0-9.eE+-]+)\s*(mm|cm|m)?", parts[-1].lower()) if parts else None
    try:
        values = tuple(float(v) for v in parts[:-1]) + (float(unit[1]) * _LENGTH_UNITS[unit[2] or "m"],) if unit else ()
    except ValueError:
        values = ()
    if len(values) != 5 or values[4] <= 0 or values[:2] == values[2:4]:
        raise OptionError(
            f"Cannot read the known distance '{text}'",
            expected="x1,y1,x2,y2,distance: two distinct image points (pixels) and their distance > 0 (metres, or with m, cm or mm)",
            found=repr(text),
            fix="e.g. --known-distance 100,1200,620,1200,1.0 for two marks 1 m apart",
        )
    return values  # type: ignore[return-value]


#: ``--person`` keywords: the leftmost, rightmost or largest person.
PERSON_KEYWORDS = ("left", "right", "largest")


def parse_person(person: str | None) -> str | tuple[float, float] | None:
    """Who to analyse: ``None``/``"auto"`` -> None; ``left|right|largest`` -> that keyword;
    ``"x,y"`` (pixels, digits only: a point inside the frame, so never negative) -> (x, y).
    The one check of the person choice (:class:`Config` validates with it, the pose stage reads
    with it); :class:`~runform.errors.OptionError` for anything else."""
    if person is None or str(person).strip().lower() in ("", "auto"):
        return None
    text = str(person).strip().lower().replace(" ", "")
    if text in PERSON_KEYWORDS:
        return text
    point = re.fullmatch(r"(\d+(?:\.\d*)?),(\d+(?:\.\d*)?)", text)
    if point is None:
        raise OptionError(
            f"Cannot read the person choice '{person}'",
            expected="x,y (a pixel point on the runner, x, y >= 0), left, right, largest or auto",
            found=repr(person),
            fix="e.g. --person 420,610 or --person left",
        )
    return float(point[1]), float(point[2])

#: Options that only a video has: (the value that means "not given", the flag that gives it).
VIDEO_ONLY_OPTIONS = {"person": (None, "--person"), "model_complexity": (1, "--fast"), "slow_motion_factor": (1.0, "--slow-motion"),
                      "pose_workers": (None, "--pose-workers")}  # fmt: skip


class Config(BaseModel):
    """All settings of one analysis. Frozen: build a new one to change anything."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event: str | None = Field(None, description="Race event the runner trains for (see EVENT_NAMES).")
    height_m: float | None = Field(None, description="Runner's standing height, for scale.")
    treadmill_speed_mps: float | None = Field(None, description="Belt speed; implies treadmill.")
    known_distance: tuple[float, float, float, float, float] | None = Field(
        None, description="x1,y1,x2,y2 in pixels and the true distance in metres."
    )
    surface: Literal["auto", "treadmill", "overground"] = "auto"
    model_complexity: Literal[0, 1, 2] = 1
    min_confidence: float = Field(0.3, ge=0.0, le=1.0, description="Mask landmarks below this.")
    max_gap_s: float = Field(0.12, ge=0.0, le=1.0, description="Longest gap interpolated.")
    filter_cutoff_hz: float | None = Field(None, gt=0, description="None = cadence rule.")
    real_fps: float | None = Field(None, gt=0, description="True capture rate of slow-motion files.")
    runner_name: str | None = None
    clip_name: str | None = Field(None, max_length=200, description="The clip's name in the report (default: its "
                                  "file name; the web app gives the uploaded file's own name).")  # fmt: skip
    write_report: bool = True
    write_video: bool = True  # the annotated video comes with the report (validated below)
    slow_motion_factor: float = Field(1.0, ge=1.0, le=8.0)
    programme_weeks: int = Field(6, ge=1, le=24)
    person: str | None = Field(None, description="Who to analyse: x,y (pixels, a point on the runner), left, "
                               "right, largest; None = choose the runner automatically.")  # fmt: skip
    start_s: float | None = Field(None, ge=0, description="Analyse from this time in the clip (seconds).")
    end_s: float | None = Field(None, gt=0, description="Analyse up to this time in the clip (seconds).")
    pose_workers: int | None = Field(None, ge=1, le=2, description="Processes running the pose model: None = 2 "
                                     "on clips of 8 s or more with two free cores, else 1.")  # fmt: skip
    frame_memory_mib: float = Field(384.0, ge=0, description="Memory (MiB) for the frames the pose pass keeps, "
                                    "reduced, for the annotated video (about 30 s of a 30 fps clip); a clip that "
                                    "needs more, or 0, is decoded a second time instead.")  # fmt: skip

    @field_validator("person")
    @classmethod
    def _known_person(cls, value: str | None) -> str | None:
        """The choice as text, checked by :func:`parse_person` (lower case, no spaces; None = auto)."""
        try:
            parsed = parse_person(value)
        except OptionError:
            raise ValueError(f"unknown person '{value}'; give x,y pixels on the runner, left, right, largest or auto") from None
        return None if parsed is None or value is None else value.strip().lower().replace(" ", "")

    @model_validator(mode="before")
    @classmethod
    def _no_video_without_report(cls, data: object) -> object:
        """``--no-report`` alone writes no video: recorded as ``write_video: false``."""
        if isinstance(data, dict) and data.get("write_report") is False and data.get("write_video") is None:
            return {**data, "write_video": False}
        return data

    @field_validator("write_video")
    @classmethod
    def _video_with_report(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("write_report") is False:
            raise PydanticCustomError(
                "option_conflict", "the annotated video is written with the report, and --no-report writes neither",
                {"expected": "--video with the report (the default)", "found": "--no-report --video",
                 "fix": "leave out --no-report, or --video"},
            )  # fmt: skip
        return value

    @field_validator("end_s")
    @classmethod
    def _window_in_order(cls, value: float | None, info: ValidationInfo) -> float | None:
        start = info.data.get("start_s")  # validated first (declared before end_s): the error names --end
        if value is not None and start is not None and value <= start:
            raise ValueError(f"end {value:g} s is not after start {start:g} s")
        return value

    @field_validator("event")
    @classmethod
    def _known_event(cls, value: str | None) -> str | None:
        if value is None:
            return None
        key = value.strip().lower().replace(" ", "")
        aliases = {"10000m": "10k", "5000m": "5k", "3000m": "3k", "halfmarathon": "half",
                   "crosscountry": "xc", "hillsprint": "hill-sprint", "hills": "hill-sprint"}  # fmt: skip
        key = aliases.get(key, key)
        if key not in EVENT_NAMES:
            raise ValueError(f"unknown event '{value}'; choose one of {', '.join(EVENT_NAMES)}")
        return key

    @field_validator("height_m")
    @classmethod
    def _plausible_height(cls, value: float | None) -> float | None:
        low, high = HEIGHT_RANGE_M
        if value is not None and not low <= value <= high:
            raise ValueError(f"height {value} m is outside {low}-{high} m; give metres, e.g. 1.78")
        return value

    @field_validator("treadmill_speed_mps")
    @classmethod
    def _plausible_speed(cls, value: float | None) -> float | None:
        low, high = TREADMILL_SPEED_RANGE_MPS
        if value is not None and not low <= value <= high:
            raise ValueError(
                f"treadmill speed {value:.2f} m/s is outside {low}-{high} m/s "
                "(give km/h with a unit, e.g. 12.6km/h)"
            )
        return value

    def without_video_options(self) -> tuple[Config, list[str]]:
        """This config for a keypoint or motion-capture file: the video-only options given reset to
        their defaults (not recorded as applied), no annotated video (no video to annotate), and the
        flags that were given (for a warning)."""
        given = {field: unset for field, (unset, _) in VIDEO_ONLY_OPTIONS.items() if getattr(self, field) != unset}
        flags = [VIDEO_ONLY_OPTIONS[field][1] for field in given]
        return self.model_copy(update={**given, "write_video": False}), flags


def make_config(**options: object) -> Config:
    """Build a :class:`Config`, turning validation failures into a readable :class:`OptionError`."""
    options = {k: v for k, v in options.items() if v is not None or k == "event"}
    if isinstance(options.get("treadmill_speed_mps"), str):
        options["treadmill_speed_mps"] = parse_speed_mps(options["treadmill_speed_mps"])  # type: ignore[arg-type]
    if isinstance(options.get("known_distance"), str):
        options["known_distance"] = parse_known_distance(options["known_distance"])  # type: ignore[arg-type]
    try:
        return Config(**options)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        flag = option_flag(field) if field else "--start / --end"
        problem, expected = _describe(flag, first)
        found, fix = (repr(first.get("input")) if field else ""), f"correct {flag} and run again (runform analyze --help lists the options)"
        ctx = first.get("ctx") or {}
        if "fix" in ctx:  # a validator that knows the whole story (options that contradict each other)
            expected, found, fix = ctx["expected"], ctx["found"], ctx["fix"]
        raise OptionError(problem, expected=expected, found=found, fix=fix) from None


def option_flag(field: str) -> str:
    """The command-line flag that sets a Config field: ``programme_weeks`` -> ``--weeks``."""
    return OPTION_FLAGS.get(field, "--" + field.replace("_", "-"))


#: pydantic error type -> (words, constraint key in the error's ctx)
_BOUNDS = {"greater_than_equal": ("at least", "ge"), "less_than_equal": ("at most", "le"),
           "greater_than": ("more than", "gt"), "less_than": ("less than", "lt")}  # fmt: skip


def _describe(flag: str, error: dict) -> tuple[str, str]:
    """(problem, expected) in words, e.g. ("--weeks must be at least 1; got 0", "a whole number of weeks >= 1")."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind in _BOUNDS:
        words, key = _BOUNDS[kind]
        return f"{flag} must be {words} {ctx.get(key)}; got {value}", f"{flag} {words} {ctx.get(key)}"
    if kind in ("int_parsing", "int_from_float", "float_parsing", "int_type", "float_type"):
        number = "a whole number" if kind.startswith("int") else "a number"
        return f"{flag} must be {number}; got {value!r}", number
    if kind == "literal_error":
        return f"{flag} must be one of {ctx.get('expected')}; got {value!r}", f"one of {ctx.get('expected')}"
    message = error["msg"].replace("Value error, ", "")
    return f"{flag}: {message}", f"a valid {flag} value"
