"""The leg-swap Viterbi search computes every frame's acceleration cost at once (30x faster); it
must choose exactly what the plain per-frame search chooses."""

from __future__ import annotations

import numpy as np
import pytest

from runform.kinematics.swaps import _viterbi_swaps


def _reference(a: np.ndarray, b: np.ndarray, penalty: float, unary: np.ndarray) -> np.ndarray:
    """The per-frame search (states: labelling of frames t-1 and t; cost: acceleration norms)."""
    n = len(a)
    opts = np.stack([np.stack([a, b]), np.stack([b, a])])

    def accel(s2: int, s1: int, s0: int, t: int) -> float:
        d = opts[s0, :, t] - 2 * opts[s1, :, t - 1] + opts[s2, :, t - 2]
        return float(np.nansum(np.sqrt(np.nansum(d * d, axis=-1))))

    cost = np.array([unary[1, 0], penalty + unary[1, 1], penalty + unary[1, 0], unary[1, 1]])
    back = np.zeros((n, 4), dtype=np.int8)
    for t in range(2, n):
        new = np.full(4, np.inf)
        for s1 in (0, 1):
            for s0 in (0, 1):
                for s2 in (0, 1):
                    c = cost[2 * s2 + s1] + accel(s2, s1, s0, t) + unary[t, s0] + (penalty if s0 != s1 else 0.0)
                    if c < new[2 * s1 + s0]:
                        new[2 * s1 + s0], back[t, 2 * s1 + s0] = c, 2 * s2 + s1
        cost = new
    state, path = int(np.argmin(cost)), np.zeros(n, dtype=bool)
    for t in range(n - 1, 1, -1):
        path[t] = bool(state % 2)
        state = int(back[t, state])
    path[1], path[0] = bool(state % 2), bool(state // 2)
    return path


@pytest.mark.parametrize("seed", range(6))
def test_vectorised_search_equals_the_per_frame_search(seed):
    rng = np.random.default_rng(seed)
    n, joints = 120, 4
    phase = np.arange(n)[:, None] / 9 + np.arange(joints)[None, :]  # two legs swinging in antiphase
    a = np.stack([80 * np.sin(phase), 20 * np.cos(phase)], axis=-1) + rng.normal(0, 4, (n, joints, 2))
    b = np.stack([-80 * np.sin(phase), -20 * np.cos(phase)], axis=-1) + rng.normal(0, 4, (n, joints, 2))
    for start in rng.integers(5, n - 8, 4):  # injected swaps of 1-4 frames
        stop = start + rng.integers(1, 5)
        a[start:stop], b[start:stop] = b[start:stop].copy(), a[start:stop].copy()
    a[rng.random((n, joints)) < 0.05] = np.nan  # dropouts
    unary = rng.random((n, 2)) * 30
    expected = _reference(a, b, 90.0, unary)
    assert np.array_equal(_viterbi_swaps(a, b, 90.0, unary), expected)
    assert expected.any()  # the injected swaps were found (the test exercises both states)
