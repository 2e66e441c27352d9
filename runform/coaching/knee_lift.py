"""Knee lift for the running speed: what recreational runners reach at the clip's own speed.

Knee lift grows with speed (RBDS: about 27 deg at 2.5 m/s, 40 deg at 4.5 m/s), and the distance
band (35-50 deg) describes race-pace strides, so a clip filmed at an easy pace reads "below the
band" for nearly everyone. :func:`knee_lift_at_speed` gives the central 90 % of recreational
runners at the clip's speed (:mod:`runform.coaching.at_speed`: a line of knee lift on the speed
in leg lengths per second, fitted by ``benchmarks/speed_references.py`` on the RBDS tuning runners
and checked on the held-out ones). The speed in leg lengths per second needs no scale: the ground
speed and the leg length are both read from the pose in pixels (``runform.kinematics.calibration``).
The distance runner's "shuffler" finding fires only below both the band and this reference's low
edge; between the two, the coaching block says that the clip is typical for its speed and that
70%-effort strides are what to film to judge knee drive.
"""

from __future__ import annotations


def knee_lift_at_speed(ref: dict | None) -> dict | None:
    """``{"speed_leg_lengths_per_s", "speed_mps", "expected_deg", "low_deg", "high_deg", "band_content",
    "source"}`` from the knee-lift reference at the clip's speed (:func:`runform.coaching.at_speed.reference_at_speed`
    of ``max_thigh_angle_deg``), or None when there is none (no speed or leg length measured, or a
    speed outside the reference's range: a sprint, a walk)."""
    if ref is None:
        return None
    return {"speed_leg_lengths_per_s": ref["speed_leg_lengths_per_s"], "speed_mps": ref["speed_mps"],
            "expected_deg": ref["expected"], "low_deg": ref["low"], "high_deg": ref["high"],
            "band_content": ref["band_content"], "source": ref["source"]}  # fmt: skip


def speed_verdict(value_deg: float | None, uncertainty_deg: float | None, band_low_deg: float | None,
                  at_speed: dict | None) -> str | None:
    """For a knee lift below the band: ``"typical"`` for the clip's speed (at or above the low edge
    of runners at that speed), ``"low"`` (below it by more than the uncertainty: the shuffler
    finding's own test) or ``"uncertain"`` (below it, within the uncertainty). None when it is not
    below the band or the speed is unknown."""
    if value_deg is None or band_low_deg is None or at_speed is None or value_deg >= band_low_deg:
        return None
    if value_deg >= at_speed["low_deg"]:
        return "typical"
    return "low" if value_deg + (uncertainty_deg or 0.0) < at_speed["low_deg"] else "uncertain"


#: What each verdict adds to the headline ("Knee lift 22°: below the 10k band (35–50°), ...").
VERDICT_WORDS = {"typical": "typical for this speed", "uncertain": "at the low edge for this speed",
                 "low": "low even for this speed"}  # fmt: skip


#: Where a knee lift lies against its band: words and tone (ok / warn / bad). Values within their
#: 95 % uncertainty of an edge are "at the edge": not called below or above what they cannot tell.
BAND_POSITIONS = {"below": ("below", "bad"), "low-edge": ("at the low edge of", "warn"), "within": ("within", "ok"),
                  "high-edge": ("at the high edge of", "warn"), "above": ("above", "warn")}  # fmt: skip


def band_position(value: float, uncertainty: float | None, low: float, high: float) -> str:
    """A key of :data:`BAND_POSITIONS` for ``value`` +/- ``uncertainty`` against the band [low, high]."""
    u = float(uncertainty or 0.0)
    if value < low:
        return "below" if value + u < low else "low-edge"
    if value > high:
        return "above" if value - u > high else "high-edge"
    return "within"


def speed_clause(knee_lift: dict, degree: str = "°", dash: str = "–") -> tuple[str, str] | None:
    """What the headline adds after the band for a coaching block's ``knee_lift`` entry with a speed
    verdict: (", typical for this speed (22–38°)", tone "bad" when low even for this speed, else
    "warn"), or None. ``degree`` and ``dash`` let a plain terminal say "deg" and "-"."""
    verdict, at_speed = knee_lift.get("speed_verdict"), knee_lift.get("at_speed")
    if not verdict or not at_speed:
        return None
    tone = "bad" if verdict == "low" else "warn"
    return f", {VERDICT_WORDS[verdict]} ({at_speed['low_deg']:.0f}{dash}{at_speed['high_deg']:.0f}{degree})", tone


def speed_note(verdict: str | None, at_speed: dict | None) -> str | None:
    """The sentence for a :func:`speed_verdict`: what runners at this speed do, and what to film."""
    if verdict is None or at_speed is None:
        return None
    speed = f"{at_speed['speed_mps']:.1f} m/s" if at_speed.get("speed_mps") else f"{at_speed['speed_leg_lengths_per_s']:.1f} leg lengths/s"
    reference = (f"recreational runners at this speed ({speed}) lift the thigh {at_speed['low_deg']:.0f}–{at_speed['high_deg']:.0f}° "
                 f"({at_speed['band_content']:.0%} of them; RBDS)")  # fmt: skip
    if verdict == "low":
        return f"Knee lift is low even for this speed: {reference}."
    if verdict == "uncertain":
        return (f"Knee lift is below the band and at the low edge for this speed, within measurement uncertainty: {reference}. "
                "Film 70%-effort strides at 60 fps to tell.")  # fmt: skip
    return (f"Below the band, which describes race-pace strides, but typical for this speed: {reference}. "
            "Film 70%-effort strides to judge knee drive against the band.")
