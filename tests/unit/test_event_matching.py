"""The label-matching helpers of ``fixtures.data``: ``spurious_events`` finds what ``match_events``
cannot see (an event added beside correct ones), on the labels v2 themselves."""

from __future__ import annotations

import pandas as pd
from conftest import match_events, spurious_events


def test_the_labels_match_themselves_with_nothing_extra(labels):
    assert (match_events(labels, labels)["error_frames"] == 0).all()
    assert spurious_events(labels, labels).empty


def test_an_added_contact_and_toe_off_pair_is_extra(labels):
    # mid-stance of the left stance 16 -> 25 (contact at 16, toe-off at 25): an invented pair of events
    added = pd.DataFrame([{"frame": 20, "time_s": 20 / 30, "side": "left", "event": "contact"},
                          {"frame": 22, "time_s": 22 / 30, "side": "left", "event": "toe_off"}])  # fmt: skip
    detected = pd.concat([labels, added], ignore_index=True)
    assert (match_events(detected, labels)["error_frames"] == 0).all()  # blind to it
    extra = spurious_events(detected, labels)
    assert sorted(extra["frame"]) == [20, 22], extra


def test_a_second_event_beside_a_label_is_extra(labels):
    twin = labels.iloc[[3]].assign(time_s=lambda t: t["time_s"] + 1.5 / 30)
    extra = spurious_events(pd.concat([labels, twin], ignore_index=True), labels)
    assert len(extra) == 1 and "second event" in extra["why"].iloc[0]


def test_events_outside_the_labelled_stretch_and_other_kinds_are_not_judged(labels):
    later = pd.DataFrame([{"frame": 200, "time_s": 200 / 30, "side": "left", "event": "contact"}])
    assert spurious_events(pd.concat([labels, later], ignore_index=True), labels).empty
    contacts = labels[labels["event"] == "contact"]
    assert spurious_events(labels, contacts).empty  # the toe-offs are not contacts gone astray
