"""``runform analyze``: one clip -> the output folder (and ``run_analysis``, shared with ``demo``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from runform.cli.common import console, guard, native_stderr_silenced
from runform.cli.render import print_analysis
from runform.config import DEFAULT_EVENT, EVENT_NAMES, Config, make_config

EVENT_HELP = (f"Race event the runner trains for: {', '.join(EVENT_NAMES)}. "
              f"100m-800m and hill-sprint use the sprint profile, the rest the distance profile. [default: {DEFAULT_EVENT}]")


def default_output(source: Path) -> Path:
    """``clip.mp4`` -> ``clip_runform/`` next to the clip."""
    return source.with_name(source.stem + "_runform")


def run_analysis(source: Path, output: Path | None, **options: object) -> None:
    """Build the Config, run the pipeline with a progress bar, print the results."""
    from runform.pipeline import run  # imported on use: keeps --help fast

    config = make_config(**options)
    output = output or default_output(source)
    with native_stderr_silenced(), Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console, transient=True,
    ) as bar:  # fmt: skip
        analysis = run(source, config, output, progress=StageBars(bar, source.name))
    print_analysis(analysis, output)


class StageBars:
    """The pipeline's :data:`~runform.pipeline.StageProgress` as one Rich bar per stage (pose, report,
    video), each added when its stage starts. Rich's Progress is thread-safe: the video stage
    reports from its own thread."""

    LABELS = {"pose": "Analysing {name}", "report": "Writing report.html", "video": "Writing annotated.mp4"}

    def __init__(self, bar: Progress, name: str) -> None:
        self.bar, self.name = bar, name
        self.tasks: dict[str, TaskID] = {}
        self.tasks["pose"] = bar.add_task(self.LABELS["pose"].format(name=name), total=None)

    def __call__(self, done: int, total: int, stage: str) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(self.LABELS.get(stage, stage).format(name=self.name), total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)


def analyze(
    source: Annotated[Path, typer.Argument(metavar="SOURCE", help="Side-view running video (mp4/mov/avi/mkv/webm/m4v), keypoint CSV, or motion capture (.c3d, .trc, RBDS markers .txt, joint-centre CSV).")],
    output: Annotated[Path | None, typer.Option("-o", "--output", metavar="FOLDER", help="Output folder. [default: <clip name>_runform next to the clip]")] = None,
    height: Annotated[float | None, typer.Option("--height", help="Runner's height in metres, for scale.")] = None,
    treadmill_speed: Annotated[str | None, typer.Option("--treadmill-speed", help="Belt speed: 3.5 (m/s), 12.6km/h or 8mph.")] = None,
    known_distance: Annotated[str | None, typer.Option("--known-distance", help="x1,y1,x2,y2,distance: two image points (pixels) a known distance apart, in metres or with m, cm or mm.")] = None,
    event: Annotated[str | None, typer.Option("--event", metavar="EVENT", help=EVENT_HELP)] = None,
    surface: Annotated[str, typer.Option("--surface", help="auto, treadmill or overground.")] = "auto",
    fast: Annotated[bool, typer.Option("--fast", help="Faster pose: BlazePose on every other frame, the frames between interpolated (see docs/ACCURACY.md); not on a clip with several people, whose runner crop is posed on every frame.")] = False,
    real_fps: Annotated[float | None, typer.Option("--real-fps", help="True capture rate of a slow-motion file.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Runner's name for the report.")] = None,
    weeks: Annotated[int, typer.Option("--weeks", help="Length of the knee-drive programme in weeks.")] = Config.model_fields["programme_weeks"].default,
    report: Annotated[bool, typer.Option("--report/--no-report", show_default=False, help="Write report.html (and annotated.mp4). [default: --report]")] = True,
    video: Annotated[bool | None, typer.Option("--video/--no-video", show_default=False, help="Write the annotated video (with the report). [default: --video]")] = None,
    slow_motion: Annotated[float, typer.Option("--slow-motion", help="Annotated video played slower by this factor (1-8).")] = Config.model_fields["slow_motion_factor"].default,
    person: Annotated[str | None, typer.Option("--person", help="Who to analyse: x,y (a point on the runner, pixels), left, right, largest; default: the runner.")] = None,
    start: Annotated[float | None, typer.Option("--start", help="Analyse from this time in seconds (of the file as played; a keypoint or motion-capture file: from its first sample). With --real-fps the results are in real time.")] = None,
    end: Annotated[float | None, typer.Option("--end", help="Analyse up to this time in seconds (as --start).")] = None,
    pose_workers: Annotated[int | None, typer.Option("--pose-workers", metavar="N", help="Processes for the pose model, 1 or 2. [default: 2 on clips of 8 s or more with two free cores]")] = None,
    frame_memory: Annotated[float, typer.Option("--frame-memory", metavar="MIB", help="Memory for the frames kept for the annotated video (a clip needing more, or 0, is decoded again).")] = Config.model_fields["frame_memory_mib"].default,
) -> None:  # fmt: skip
    """Analyse one clip and write analysis.json, events.csv, strides.csv and keypoints.csv."""
    guard(run_analysis, source, output, height_m=height, treadmill_speed_mps=treadmill_speed, known_distance=known_distance,
          event=event, surface=surface, model_complexity=0 if fast else 1, real_fps=real_fps, runner_name=name,
          programme_weeks=weeks, write_report=report, write_video=video, slow_motion_factor=slow_motion,
          person=person, start_s=start, end_s=end, pose_workers=pose_workers, frame_memory_mib=frame_memory)  # fmt: skip
