"""The second pose process: ``python -m runform.pose.segment_worker REQUEST.json``.

Started by :mod:`runform.pose.mediapipe_backend` on long clips (see its docstring). Reads the
request (clip, landmark-model options, first window frame, window, frame step, optional crop
windows), writes the landmark rows as ``.npy`` to the request's ``out`` path, exits 0. A plain
subprocess rather than :mod:`multiprocessing`, so the caller's ``__main__`` is never re-imported.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np


def main(argv: list[str]) -> int:
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from runform.pose.mediapipe_backend import segment_rows_from_request

    request = json.loads(Path(argv[0]).read_text())
    rows = segment_rows_from_request(request)
    out = Path(request["out"])
    partial = out.with_suffix(".partial.npy")
    np.save(partial, rows)
    partial.replace(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
