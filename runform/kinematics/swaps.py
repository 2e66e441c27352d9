"""Left/right leg-swap detection and repair.

In side views BlazePose (and OpenPose) sometimes exchange the labels of the two legs for a few
frames, or only of the two feet. We find the labelling that makes both legs move most smoothly:
a Viterbi search over "as labelled" / "swapped" per frame, whose state is the last two choices so
that the cost is the landmarks' **acceleration** (second difference). Acceleration, unlike
position, separates two legs that pass each other (they cross, they never bounce), which is the
moment where label swaps happen. A switch costs ``switch_penalty_px`` so single noisy frames do
not flip. The search runs first on whole legs (knee, ankle, heel, toe) and then on the feet alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runform.kinematics.filtering import REFERENCE_FPS, finite_runs
from runform.model import Keypoints, nanmean_or_nan

#: (name, landmarks whose motion is scored, landmarks exchanged when a swap is found)
GROUPS = (
    ("leg", ("knee", "ankle", "heel", "foot_index"), ("hip", "knee", "ankle", "heel", "foot_index")),
    ("foot", ("ankle", "heel", "foot_index"), ("ankle", "heel", "foot_index")),
)


def _viterbi_swaps(
    a: np.ndarray, b: np.ndarray, switch_penalty: float, unary: np.ndarray | None = None
) -> np.ndarray:
    """Boolean per frame: True where tracks ``a`` and ``b`` (T x J x 2) should be exchanged.

    ``unary`` (T x 2) is an optional extra cost of each state (0 = as labelled, 1 = swapped).
    """
    n = len(a)
    unary = np.zeros((n, 2)) if unary is None else np.nan_to_num(unary)
    if n < 3:
        return np.zeros(n, dtype=bool)
    opts = np.stack([np.stack([a, b]), np.stack([b, a])])  # [state, track, T, J, 2]
    # accel[s2][s1][s0][t - 2]: summed acceleration norm of both tracks at frame t for the states of
    # frames t-2, t-1, t (computed for all frames at once; the search below is then scalar)
    accel = [[[_accel_norms(opts[s0, :, 2:] - 2 * opts[s1, :, 1:-1] + opts[s2, :, :-2]).tolist()
               for s0 in (0, 1)] for s1 in (0, 1)] for s2 in (0, 1)]  # fmt: skip
    unary_l = unary.tolist()
    penalty = float(switch_penalty)
    # state index = 2 * s_prev + s_cur
    cost = [unary_l[1][0], penalty + unary_l[1][1], penalty + unary_l[1][0], unary_l[1][1]]
    back = np.zeros((n, 4), dtype=np.int8)
    inf = float("inf")
    for t in range(2, n):
        new = [inf, inf, inf, inf]
        for s1 in (0, 1):
            for s0 in (0, 1):
                for s2 in (0, 1):
                    prev = 2 * s2 + s1
                    c = cost[prev] + accel[s2][s1][s0][t - 2] + unary_l[t][s0] + (penalty if s0 != s1 else 0.0)
                    if c < new[2 * s1 + s0]:
                        new[2 * s1 + s0] = c
                        back[t, 2 * s1 + s0] = prev
        cost = new
    state = int(np.argmin(cost))
    path = np.zeros(n, dtype=bool)
    for t in range(n - 1, 1, -1):
        path[t] = bool(state % 2)
        state = int(back[t, state])
    path[1], path[0] = bool(state % 2), bool(state // 2)
    return path


def _accel_norms(d: np.ndarray) -> np.ndarray:
    """(track, T, J, 2) second differences -> per frame, the sum over tracks and landmarks of their
    norms (NaN landmarks count 0), summed in the same order as one frame's (track, J) block."""
    norms = np.sqrt(np.nansum(d * d, axis=-1))  # (track, T, J)
    return np.nansum(np.ascontiguousarray(norms.transpose(1, 0, 2)).reshape(norms.shape[1], -1), axis=1)


@dataclass
class LegSwapRepair:
    """Detect and undo left/right label swaps (see module docstring).

    Parameters
    ----------
    switch_penalty_frac_leg:
        Cost of one label switch, as a fraction of the median shank length in pixels. 1.0 was
        chosen on the shared treadmill clip and checked on injected swaps (tests). Below 30 fps
        it grows with the squared frame interval, as the frame-to-frame acceleration does.
    near_far_weight:
        Weight (in switch penalties per frame) of the near/far evidence: the pose model's depth,
        or else its confidence, is attached to the physical leg, so a label swap flips the sign of
        the left-minus-right difference. A frame whose difference disagrees with the clip's
        majority sign by more than one robust spread costs this much in the "as labelled" state.
    min_apart_frac_shank:
        When > 0, keep only runs of swapped frames in which the two knees (feet: ankles) are at
        least this many shank lengths apart (median over the run): the cleaning repairs such
        clear swaps before glitch removal, and where the legs cross leaves them to the full
        repair after glitch removal and interpolation.
    """

    switch_penalty_frac_leg: float = 1.0
    near_far_weight: float = 0.5
    min_apart_frac_shank: float = 0.0

    def repair(self, kp: Keypoints) -> Keypoints:
        """Return repaired keypoints; fills ``swapped_frames_`` (frame -> group name)."""
        self.swapped_frames_: dict[str, np.ndarray] = {}
        shank = np.linalg.norm(kp.xy("left_knee") - kp.xy("left_ankle"), axis=1)
        shank_px = float(np.nanmedian(shank)) if np.isfinite(shank).any() else 50.0
        # the penalties grow with the squared frame interval below 30 fps; the shank length does not
        scale = shank_px * max(1.0, REFERENCE_FPS / kp.sampling_rate_hz) ** 2
        out = kp
        for label, scored, exchanged in GROUPS:
            left = [out.index(f"left_{p}") for p in scored]
            right = [out.index(f"right_{p}") for p in scored]
            unary = _near_far_cost(out, scored, self.switch_penalty_frac_leg * scale * self.near_far_weight)
            if label == "foot":
                unary = unary + _attachment_cost(out, shank_px)
            flip = _viterbi_swaps(out.xy_px[:, left], out.xy_px[:, right], self.switch_penalty_frac_leg * scale, unary)
            if label == "leg" and flip.sum() > len(flip) / 2:
                flip = ~flip  # whole-leg identity is global and decided by SideAssignment later
            if self.min_apart_frac_shank > 0:
                flip = _runs_apart(out, flip, "knee" if label == "leg" else "ankle", self.min_apart_frac_shank * shank_px)
            self.swapped_frames_[label] = np.flatnonzero(flip)
            if flip.any():
                left = [out.index(f"left_{p}") for p in exchanged]
                right = [out.index(f"right_{p}") for p in exchanged]
                out = _exchange(out, left, right, flip, f"leg_swap_repair(group={label}, frames={int(flip.sum())})")
        return out

    @property
    def n_swapped_frames_(self) -> int:
        return int(sum(len(v) for v in self.swapped_frames_.values()))


def _runs_apart(kp: Keypoints, flip: np.ndarray, part: str, min_gap_px: float) -> np.ndarray:
    """``flip`` without the runs of frames in which the two ``part`` landmarks are (median) closer
    than ``min_gap_px``: where they cross, which label is which is ambiguous."""
    gap = np.linalg.norm(kp.xy(f"left_{part}") - kp.xy(f"right_{part}"), axis=1)
    out = flip.copy()
    for a, b in finite_runs(flip):
        g = gap[a:b]
        if not np.isfinite(g).any() or np.nanmedian(g) < min_gap_px:
            out[a:b] = False
    return out


def _near_far_cost(kp: Keypoints, parts: tuple[str, ...], weight: float) -> np.ndarray:
    """Cost (T x 2) of each labelling from near/far evidence (see ``near_far_weight``)."""
    source = kp.depth if kp.depth is not None else -kp.confidence
    left = nanmean_or_nan(source[:, [kp.index(f"left_{p}") for p in parts]], axis=1)
    right = nanmean_or_nan(source[:, [kp.index(f"right_{p}") for p in parts]], axis=1)
    diff = left - right
    if not np.isfinite(diff).any():
        return np.zeros((kp.n_frames, 2))
    majority = np.sign(np.nanmedian(diff))
    spread = np.nanmedian(np.abs(diff - np.nanmedian(diff))) * 1.4826 + 1e-9
    if majority == 0 or abs(np.nanmedian(diff)) < 2 * spread:
        return np.zeros((kp.n_frames, 2))  # no clear near leg: no evidence either way
    against = np.clip(-majority * diff / spread, 0, 3)  # as labelled looks swapped
    for_ = np.clip(majority * diff / spread, 0, 3)  # swapped would look wrong
    return np.nan_to_num(weight * np.stack([against, for_], axis=1) / 3)


def _attachment_cost(kp: Keypoints, shank_px: float) -> np.ndarray:
    """Cost (T x 2) of attaching each foot to each knee: deviation from the median shank length."""
    knees = [kp.xy("left_knee"), kp.xy("right_knee")]
    ankles = [kp.xy("left_ankle"), kp.xy("right_ankle")]

    def dev(knee: np.ndarray, ankle: np.ndarray) -> np.ndarray:
        return np.abs(np.linalg.norm(ankle - knee, axis=1) - shank_px)

    as_labelled = dev(knees[0], ankles[0]) + dev(knees[1], ankles[1])
    swapped = dev(knees[0], ankles[1]) + dev(knees[1], ankles[0])
    return np.stack([as_labelled, swapped], axis=1)


def _exchange(kp: Keypoints, left: list[int], right: list[int], flip: np.ndarray, note: str) -> Keypoints:
    xy, conf = kp.xy_px.copy(), kp.confidence.copy()
    depth = None if kp.depth is None else kp.depth.copy()
    for arr in (xy, conf) + ((depth,) if depth is not None else ()):
        tmp = arr[flip][:, left].copy()
        rows = np.flatnonzero(flip)
        arr[np.ix_(rows, left)] = arr[np.ix_(rows, right)]
        arr[np.ix_(rows, right)] = tmp
    return kp.replace(xy_px=xy, confidence=conf, depth=depth, note=note)


def swap_legs_everywhere(kp: Keypoints) -> Keypoints:
    """Exchange every left_/right_ landmark pair (used when the side assignment says so)."""
    order = []
    for name in kp.names:
        if name.startswith("left_"):
            order.append(kp.index("right_" + name[5:]) if kp.has("right_" + name[5:]) else kp.index(name))
        elif name.startswith("right_"):
            order.append(kp.index("left_" + name[6:]) if kp.has("left_" + name[6:]) else kp.index(name))
        else:
            order.append(kp.index(name))
    depth = None if kp.depth is None else kp.depth[:, order]
    return kp.replace(
        xy_px=kp.xy_px[:, order], confidence=kp.confidence[:, order], depth=depth,
        note="swap_legs_everywhere(relabel to anatomical sides)",
    )  # fmt: skip
