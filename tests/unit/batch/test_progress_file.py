"""A job's progress kept in a file for another process (runform.batch.ProgressFile)."""

from __future__ import annotations

import json

from runform.batch import PROGRESS_FILE_OPTION, ProgressFile, analyse_one, read_progress


def test_the_fraction_spans_the_stages_never_decreases_and_is_throttled(tmp_path):
    path = tmp_path / "job.progress.json"
    progress = ProgressFile(path, min_interval_s=0.0)
    assert read_progress(path) is None
    progress(0, 100, "pose")
    assert read_progress(path) == 0.0
    progress(100, 100, "pose")
    assert read_progress(path) == 0.75
    progress(50, 100, "video")
    assert read_progress(path) == 0.925
    progress(1, 1, "report")  # report and video run side by side: the fraction does not go back
    assert read_progress(path) == 0.925 and json.loads(path.read_text())["stage"] == "report"
    slow = ProgressFile(path, min_interval_s=60.0)
    slow(10, 100, "pose")
    slow(90, 100, "pose")  # within the interval, same stage: not written
    assert read_progress(path) == 0.075
    slow(0, 1, "report")  # a new stage is always written
    assert read_progress(path) == 0.75
    slow.remove()
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_analyse_one_keeps_progress_while_it_runs_and_removes_it(tmp_path, raw_keypoints_csv):
    path = tmp_path / "job.progress.json"
    seen: list[float] = []
    real = ProgressFile.__call__

    def spy(self, done: int, total: int, stage: str) -> None:  # noqa: ANN001
        real(self, done, total, stage)
        seen.append(read_progress(self.path) or 0.0)

    ProgressFile.__call__ = spy  # type: ignore[method-assign]
    try:
        row = analyse_one(str(raw_keypoints_csv), str(tmp_path / "out"), {PROGRESS_FILE_OPTION: str(path), "height_m": 1.75})
    finally:
        ProgressFile.__call__ = real  # type: ignore[method-assign]
    assert row["status"] == "done", row
    assert seen and seen[-1] >= 0.75 and seen == sorted(seen)  # report (and video) stages reached, in order
    assert not path.exists()  # removed at the end: nothing left beside the results


def test_analyse_one_writes_its_progress_file_before_anything_else(tmp_path, monkeypatch):
    """The web app takes the file for "a worker took the job up" (a stop then counts the attempt);
    it must exist before the imports, the config and the pose model's start, which take seconds."""
    import runform.pipeline

    path = tmp_path / "job.progress.json"
    seen = []

    def run(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        seen.append(read_progress(path))
        raise RuntimeError("stop here")

    monkeypatch.setattr(runform.pipeline, "run", run)
    row = analyse_one(str(tmp_path / "clip.mp4"), str(tmp_path / "out"), {PROGRESS_FILE_OPTION: str(path), "height_m": 1.75})
    assert seen == [0.0] and row["status"] == "failed"
    assert not path.exists()
