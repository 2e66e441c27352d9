"""Knee flexion and the pelvis centre are defined once, in ``runform.kinematics.angles``
(``knee_flexion_deg``, ``pelvis_xy``); every other module calls them (the sign convention is in
docs/METRICS.md)."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "runform"
ANGLES = PACKAGE / "kinematics" / "angles.py"
REDEFINITIONS = {
    "pelvis centre (use angles.pelvis_xy)": re.compile(r'xy\("left_hip"\)[^\n]*\+[^\n]*xy\("right_hip"\)'),
    "knee flexion (use angles.knee_flexion_deg)": re.compile(r"thigh\S*\s*-\s*\S*shank"),
}


def test_knee_flexion_and_the_pelvis_centre_are_computed_only_in_angles():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == ANGLES:
            continue
        text = path.read_text(encoding="utf-8")
        for what, pattern in REDEFINITIONS.items():
            found += [f"{path.relative_to(PACKAGE.parent)}:{text[: m.start()].count(chr(10)) + 1} recomputes the {what}"
                      for m in pattern.finditer(text)]  # fmt: skip
    assert not found, "\n".join(found)


def test_the_sign_convention_table_lives_in_docs_metrics():
    doc = (PACKAGE.parent / "docs" / "METRICS.md").read_text(encoding="utf-8")
    assert "| knee flexion | `thigh − shank` |" in doc
    source = ANGLES.read_text(encoding="utf-8")
    assert "docs/METRICS.md" in source and "atan2" not in source.split('"""')[1]  # a pointer, not a second table
