"""A truncated clip whose index still lists every frame (moov atom first, as phones and "faststart"
exports write it; the copy or upload was cut off): the frames that decode are analysed and the
quality gate says that the file stopped early, instead of reporting half a clip as the whole."""

from __future__ import annotations

import json
from pathlib import Path

import av
import pandas as pd
from typer.testing import CliRunner

from runform.cli import app


def faststart_copy(src: Path, dst: Path) -> Path:
    """``src`` remuxed (no re-encode) with its index at the front of the file (mp4; other containers
    as their muxer writes them)."""
    options = {"movflags": "+faststart"} if dst.suffix == ".mp4" else {}
    with av.open(str(src)) as inp, av.open(str(dst), "w", options=options) as out:
        stream_in = inp.streams.video[0]
        stream_out = out.add_stream_from_template(stream_in)
        for packet in inp.demux(stream_in):
            if packet.dts is not None:
                packet.stream = stream_out
                out.mux(packet)
    return dst


def test_truncated_clip_is_analysed_with_a_warning(tmp_path, clip):
    whole = faststart_copy(clip, tmp_path / "whole.mp4")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with av.open(str(cut)) as container:  # the index still promises the whole clip
        assert container.streams.video[0].frames == 360

    result = CliRunner().invoke(app, ["analyze", str(cut), "--height", "1.75", "--no-video", "--no-report",
                                      "--pose-workers", "1", "-o", str(tmp_path / "out")])  # fmt: skip
    text = " ".join(result.output.split())
    assert result.exit_code == 0, text
    assert "video_complete" in text and "looks truncated" in text

    analysis = json.loads((tmp_path / "out" / "analysis.json").read_text())
    check = next(c for c in analysis["quality"]["checks"] if c["name"] == "video_complete")
    stopped_s = analysis["video"]["decoding_stopped_at_s"]
    assert check["verdict"] == "warn" and check["value"] == stopped_s
    assert 3.0 < stopped_s < 9.0  # half the bytes of a 12 s clip
    assert analysis["counts"]["strides"] >= 8, "the decoded part is still analysed"
    assert pd.read_csv(tmp_path / "out" / "events.csv")["time_s"].max() <= stopped_s


def test_truncated_matroska_is_not_called_complete(tmp_path, clip):
    """A Matroska file states the container's duration only (a longer sound track may fill it), so
    runform cannot be sure: it warns that decoding stopped early, hedged, instead of "pass"."""
    whole = faststart_copy(clip, tmp_path / "whole.mkv")
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    result = CliRunner().invoke(app, ["analyze", str(cut), "--no-video", "--no-report", "--pose-workers", "1",
                                      "-o", str(tmp_path / "out")])  # fmt: skip
    assert result.exit_code == 0, result.output
    analysis = json.loads((tmp_path / "out" / "analysis.json").read_text())
    check = next(c for c in analysis["quality"]["checks"] if c["name"] == "video_complete")
    assert analysis["video"]["duration_from_video_track"] is False
    assert check["verdict"] == "warn" and "may include a longer sound track" in check["message"]
    assert 3.0 < analysis["video"]["decoding_stopped_at_s"] < 9.0
