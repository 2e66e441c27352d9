"""Batch inputs: a folder of clips or a manifest CSV -> one :class:`BatchItem` per clip.

Manifest columns: ``path`` (required; relative paths are relative to the manifest's folder),
``athlete`` (the report's runner name), ``height_m``, ``event``, ``treadmill_speed`` (``3.5``,
``12.6km/h``, ``8mph``) and any other analyse option, by its Config name (``surface``,
``known_distance``, ``real_fps``, ``programme_weeks``, ``slow_motion_factor``, ``person``,
``start_s``, ``end_s``, ``model_complexity``) or its command-line name without dashes
(``weeks``, ``slow_motion``, ``start``, ``end``, ``fast``). An empty cell keeps the default.

The defaults (the command line's options) are checked here, by building the Config a job builds:
a bad default is an :class:`~runform.errors.OptionError` before anything runs. A manifest cell is
checked by its job, so a bad row is that row's failure and the batch goes on.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runform.batch.job import check_options
from runform.config import Config
from runform.errors import InputError, OptionError
from runform.io import VIDEO_SUFFIXES

#: Manifest column -> Config field, for the columns whose names differ from the field.
COLUMN_ALIASES = {
    "athlete": "runner_name", "name": "runner_name", "height": "height_m", "treadmill_speed": "treadmill_speed_mps",
    "weeks": "programme_weeks", "slow_motion": "slow_motion_factor", "start": "start_s", "end": "end_s",
    "fast": "fast",
}  # fmt: skip
#: Manifest columns for people, not for runform: kept out of the options (any other unknown
#: column is refused, so that a mistyped option name is not ignored in silence).
NOTE_COLUMNS = ("notes", "note", "comment", "comments")
TRUE_WORDS = {"1", "true", "yes", "y"}
FALSE_WORDS = {"0", "false", "no", "n"}


@dataclass(frozen=True)
class BatchItem:
    """One clip of a batch: its absolute path, output subfolder name and Config options."""

    source: str
    name: str
    options: dict[str, Any] = field(default_factory=dict)
    origin: str = ""  # where the clip was listed: "line 3 of session.csv" (a manifest row), else empty

    @property
    def options_key(self) -> str:
        """Short hash of the options: a finished clip is re-run when its options change."""
        text = json.dumps(self.options, sort_keys=True, default=str)
        return hashlib.sha1(text.encode()).hexdigest()[:12]


def source_stamp(source: str | Path) -> str:
    """``"<st_size>:<st_mtime_ns>"`` of a local input file: a finished clip is re-run when its file
    changed. Empty when ``source`` is not a local file (missing, or not a regular file): not compared."""
    try:
        info = os.stat(source)
    except (OSError, ValueError):
        return ""
    return f"{info.st_size}:{info.st_mtime_ns}" if stat.S_ISREG(info.st_mode) else ""


def read_inputs(source: str | Path, defaults: dict[str, Any] | None = None) -> list[BatchItem]:
    """The clips of a folder (every video file, sorted by name) or of a manifest CSV, in order.

    Raises :class:`OptionError` for a bad default (``defaults``: Config options, as a job takes them)."""
    source = Path(source)
    defaults = {k: v for k, v in (defaults or {}).items() if v is not None}
    check_options(defaults)
    if source.is_dir():
        clips = sorted(p for p in source.iterdir()  # not hidden files: macOS writes "._IMG_0001.MOV" beside each clip
                       if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES and not p.name.startswith("."))  # fmt: skip
        rows = [(p, dict(defaults), "") for p in clips]
        what = f"video files ({', '.join(VIDEO_SUFFIXES)})"
    elif source.is_file() and source.suffix.lower() == ".csv":
        rows = [(path, {**defaults, **options}, origin) for path, options, origin in _manifest_rows(source)]
        what = "rows in the manifest"
    else:
        raise InputError(
            f"Cannot read the batch input {source}",
            expected="a folder of clips or a manifest .csv (columns path, athlete, height_m, event, ...)",
            found="no such file or folder" if not source.exists() else f"a {source.suffix or 'file'} file",
            fix="give a folder of videos or a manifest CSV",
        )
    if not rows:
        raise InputError(f"Nothing to analyse in {source}", expected=f"one or more {what}", found="none",
                         fix="add clips, or point to the right folder")  # fmt: skip
    return _name_items(rows)


def _manifest_rows(manifest: Path) -> list[tuple[Path, dict[str, Any], str]]:
    try:
        return _read_manifest(manifest)
    except UnicodeDecodeError as exc:
        raise InputError(f"The manifest {manifest.name} is not UTF-8 text", expected="a CSV saved as UTF-8",
                         found=f"byte {exc.object[exc.start]:#04x} at position {exc.start} ({exc.reason})",
                         fix='save it again as "CSV UTF-8" (Excel: File > Save As > CSV UTF-8)') from None  # fmt: skip


def _read_manifest(manifest: Path) -> list[tuple[Path, dict[str, Any], str]]:
    with manifest.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = [c.strip() for c in reader.fieldnames or []]
        if "path" not in columns:
            semicolons = any(";" in c for c in columns)
            raise InputError(f"The manifest {manifest.name} has no 'path' column", expected="a header row with path, "
                             "athlete, height_m, event, treadmill_speed, ...", found=", ".join(columns) or "no header",
                             fix="save it with commas between the columns (it has semicolons: a spreadsheet's regional "
                             "setting)" if semicolons else "add a header row whose first column is path")  # fmt: skip
        fields = {c: _field(c, manifest) for c in columns if c != "path" and c.lower() not in NOTE_COLUMNS}
        rows = []
        for record in reader:
            record = {(k or "").strip(): (v or "").strip() for k, v in record.items()}
            if not record.get("path"):
                continue
            path = Path(record["path"]).expanduser()
            path = path if path.is_absolute() else manifest.parent / path
            options = {fields[c]: v for c, v in record.items() if c in fields and v != ""}
            rows.append((path, _typed(options), f"line {reader.line_num} of {manifest.name}"))
    return rows


def _field(column: str, manifest: Path) -> str:
    key = COLUMN_ALIASES.get(column.lower(), column.lower())
    if key != "fast" and key not in Config.model_fields:
        known = sorted({"path", *COLUMN_ALIASES, *NOTE_COLUMNS, *Config.model_fields} - {"write_report", "write_video"})
        raise OptionError(f"Unknown manifest column '{column}' in {manifest.name}", expected="one of " + ", ".join(known),
                          found=column, fix="rename or remove the column")  # fmt: skip
    return key


def _typed(options: dict[str, Any]) -> dict[str, Any]:
    """CSV text -> option values (pydantic converts the numbers). A ``fast`` cell of yes/no words
    becomes True/False (a "no" overrides ``--fast`` for that row); any other text is kept, for the
    job to refuse."""
    fast = options.get("fast")
    if fast is not None and str(fast).lower() in TRUE_WORDS | FALSE_WORDS:
        options["fast"] = str(fast).lower() in TRUE_WORDS
    return options


def folder_name(text: str) -> str:
    """``text`` as an output subfolder name: letters, digits, ``-``, ``_`` and ``.`` (anything else
    becomes ``_``), no leading dot (never ``.`` or ``..``, never a hidden folder nor one that looks
    like a temporary ``.<name>.tmp-*``), never empty (``clip``): always one folder inside the output folder."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text).lstrip(".") or "clip"


def _name_items(rows: list[tuple[Path, dict[str, Any], str]]) -> list[BatchItem]:
    """Output subfolder = the clip's stem, made unique with ``_2``, ``_3``... in input order."""
    items, used = [], set()
    for path, options, origin in rows:
        stem = folder_name(path.stem)
        name, k = stem, 2
        while name.lower() in used:
            name, k = f"{stem}_{k}", k + 1
        used.add(name.lower())
        items.append(BatchItem(str(path.resolve()), name, options, origin))
    return items
