"""Batch inputs: folders, manifests (aliases, relative paths, empty cells), names, clear errors."""

from __future__ import annotations

import pytest

from runform.batch import read_inputs
from runform.errors import InputError, OptionError


def _touch(folder, *names):
    for name in names:
        (folder / name).write_bytes(b"x")


def test_folder_takes_every_video_sorted_with_the_defaults(tmp_path):
    _touch(tmp_path, "b.mp4", "a.MOV", "notes.txt", "c.csv")
    items = read_inputs(tmp_path, {"height_m": 1.8, "event": None})
    assert [i.name for i in items] == ["a", "b"]
    assert all(i.options == {"height_m": 1.8} for i in items)
    assert items[0].source == str((tmp_path / "a.MOV").resolve())


def test_manifest_columns_aliases_and_relative_paths(tmp_path):
    (tmp_path / "clips").mkdir()
    manifest = tmp_path / "session.csv"
    manifest.write_text("path,athlete,height_m,event,treadmill_speed,weeks,fast\n"
                        "clips/ann.mp4,Ann,1.68,800m,12km/h,8,yes\n"
                        "/abs/ann.mp4,Bob,,,,,\n"
                        ",ignored,,,,,\n")  # fmt: skip
    items = read_inputs(manifest, {"height_m": 1.75, "write_video": False})
    assert len(items) == 2
    ann, bob = items
    assert ann.source == str((tmp_path / "clips" / "ann.mp4").resolve())
    assert ann.options == {"height_m": "1.68", "runner_name": "Ann", "event": "800m", "treadmill_speed_mps": "12km/h",
                           "programme_weeks": "8", "fast": True, "write_video": False}  # fmt: skip
    assert bob.options == {"height_m": 1.75, "runner_name": "Bob", "write_video": False}
    assert (ann.name, bob.name) == ("ann", "ann_2")  # same stem: unique folder names in input order
    assert ann.options_key != bob.options_key


@pytest.mark.parametrize(
    ("content", "error", "match"),
    [
        ("clip,height_m\na.mp4,1.7\n", InputError, "no 'path' column"),
        ("path,shoe_size,notes\na.mp4,44,new shoes\n", OptionError, "Unknown manifest column 'shoe_size'"),
        ("path,athlete\n", InputError, "Nothing to analyse"),
    ],
    ids=["no-path-column", "unknown-column", "no-rows"],
)
def test_bad_manifests_say_what_to_do(tmp_path, content, error, match):
    manifest = tmp_path / "m.csv"
    manifest.write_text(content)
    with pytest.raises(error, match=match) as info:
        read_inputs(manifest)
    assert "What to do" in info.value.message


def test_a_notes_column_is_for_people(tmp_path):
    (tmp_path / "m.csv").write_text("path,athlete,notes\na.mp4,Ann,new shoes; sore calf\n")
    (item,) = read_inputs(tmp_path / "m.csv")
    assert item.options == {"runner_name": "Ann"}


def test_empty_folder_and_missing_input(tmp_path):
    with pytest.raises(InputError, match="Nothing to analyse"):
        read_inputs(tmp_path)
    with pytest.raises(InputError, match="no such file or folder"):
        read_inputs(tmp_path / "missing")
