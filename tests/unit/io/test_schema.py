"""The published JSON Schema of analysis.json: shipped in the package, the same in docs, versioned."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from runform.errors import InputError
from runform.io import SCHEMA_VERSION, analysis_schema, analysis_to_dict, load_analysis_json, validate_analysis
from runform.pipeline import analyze_keypoints

DOCS_SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "analysis.schema.json"


def test_schema_is_versioned_and_published_in_docs():
    schema = analysis_schema()
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert json.loads(DOCS_SCHEMA.read_text()) == schema


@pytest.fixture(scope="module")
def analysis_dict():
    from fixtures.gait import make_gait_keypoints

    from runform.config import Config

    kp, _ = make_gait_keypoints(60.0, 170.0)
    return analysis_to_dict(analyze_keypoints(kp, Config(height_m=1.75), "synthetic.csv"))


def test_a_real_analysis_validates(analysis_dict):
    validate_analysis(analysis_dict)


@pytest.mark.parametrize(("path", "value"), [(("schema_version",), "0.9"), (("summary", "cadence_steps_per_min", "n"), "ten"),
                                             (("calibration", "length_unit"), "inch"), (("config", "event"), 10)],
                         ids=["version", "n", "unit", "event"])  # fmt: skip
def test_a_broken_analysis_is_refused(analysis_dict, path, value):
    broken = copy.deepcopy(analysis_dict)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(InputError, match="schema"):
        validate_analysis(broken)


def test_an_output_folder_stands_for_its_analysis_json(tmp_path, analysis_dict):
    (tmp_path / "analysis.json").write_text(json.dumps(analysis_dict))
    assert load_analysis_json(tmp_path)["schema_version"] == SCHEMA_VERSION
    with pytest.raises(InputError, match="No analysis.json"):
        load_analysis_json(_empty(tmp_path))


def _empty(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def test_every_written_analysis_json_is_validated_after_the_test(gait_csv, tmp_path):
    """tests/conftest.py validates each analysis.json a test writes (fixtures.schema_watch)."""
    from fixtures.schema_watch import schema_watch

    from runform.pipeline import run

    run(gait_csv, out_dir=tmp_path / "good")
    before = schema_watch.n_validated
    schema_watch.check()
    assert schema_watch.n_validated == before + 1
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "analysis.json").write_text(json.dumps({"schema_version": "0.1"}))
    with pytest.raises(pytest.fail.Exception, match="does not follow the schema"):
        schema_watch.check()  # what the hook does after the test body: the test fails
