"""Quality-gate results: one :class:`Check` per test and the :class:`QualityReport` of a run.

The checks themselves live in :mod:`runform.quality`; this module only holds their results.
"""

from __future__ import annotations

from dataclasses import dataclass

from runform.errors import AnalysisError

#: Verdicts from best to worst.
VERDICTS: tuple[str, ...] = ("pass", "warn", "refuse")


@dataclass(frozen=True)
class Check:
    """One quality check: its verdict, the measured value, the threshold and how to fix a failure."""

    name: str
    verdict: str  # pass | warn | refuse
    value: float | str | None
    threshold: str
    message: str
    fix: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise AnalysisError(f"Unknown verdict of check {self.name}", expected=", ".join(VERDICTS), found=self.verdict)


@dataclass(frozen=True)
class QualityReport:
    """All checks of one run. ``verdict`` is the worst of them; ``timing_reliable`` is False when
    contact/flight time and duty factor cannot be trusted (too low a frame rate)."""

    checks: tuple[Check, ...]
    timing_reliable: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "checks", tuple(self.checks))
        if not all(isinstance(c, Check) for c in self.checks):
            raise AnalysisError("Quality checks must be Check records", found=", ".join({type(c).__name__ for c in self.checks}))

    @property
    def verdict(self) -> str:
        return max((c.verdict for c in self.checks), key=VERDICTS.index, default="pass")

    @property
    def refusals(self) -> list[Check]:
        return [c for c in self.checks if c.verdict == "refuse"]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.verdict == "warn"]

    def get(self, name: str) -> Check | None:
        """The first check called ``name``, or None."""
        return next((c for c in self.checks if c.name == name), None)
