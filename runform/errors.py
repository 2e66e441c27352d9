"""The RunformError family: every error says what was expected, what was found and what to do.

Each class carries an ``exit_code`` that the CLI returns (documented in README.md):

==========================  ====  ===========================================
class                       exit  meaning
==========================  ====  ===========================================
RunformError                1     any other runform failure
InputError                  2     the input file is missing, unreadable or not a video/keypoint file
OptionError                 3     a command-line option or config value is invalid
KeypointDataError           4     keypoint/mocap file with wrong columns, units or no usable data
AnalysisError               5     the data could not be analysed (too few strides, no runner found)
QualityRefused              6     the quality gate refused the clip (reason given)
OutputError                 7     the output folder could not be written
Cancelled                   130   the user interrupted the run (Ctrl-C)
==========================  ====  ===========================================
"""

from __future__ import annotations


class RunformError(Exception):
    """Base class. Message = what was expected, what was found, what to do."""

    exit_code = 1

    def __init__(self, problem: str, *, expected: str = "", found: str = "", fix: str = "") -> None:
        self.problem = problem
        self.expected = expected
        self.found = found
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [self.problem.rstrip(".") + "."]
        if self.expected:
            parts.append(f"Expected: {self.expected}.")
        if self.found:
            parts.append(f"Found: {self.found}.")
        if self.fix:
            parts.append(f"What to do: {self.fix}.")
        return " ".join(parts)


class InputError(RunformError):
    """The input path is missing, unreadable, or not a usable video / keypoint file."""

    exit_code = 2


class OptionError(RunformError):
    """An option or configuration value is invalid."""

    exit_code = 3


class KeypointDataError(RunformError):
    """A keypoint or motion-capture file has the wrong layout or no usable data."""

    exit_code = 4


class AnalysisError(RunformError):
    """The data were read but cannot be analysed (no runner, too few strides...)."""

    exit_code = 5


class QualityRefused(RunformError):
    """The quality gate refused the clip; the message carries the failed checks."""

    exit_code = 6


class OutputError(RunformError):
    """The output folder cannot be created or written."""

    exit_code = 7


class Cancelled(RunformError):
    """The run was interrupted by the user (Ctrl-C). An analysis writes nothing then; a batch keeps
    the clips it finished (``runform.batch.BatchInterrupted`` says how many)."""

    exit_code = 130
