"""Reading and writing: video frames, keypoint and motion-capture loaders (a registry by file
suffix), the analysis.json serialiser and the atomic output folder. Imports only the model."""

from runform.io.export import OUTPUT_FILES, check_output_folder, output_folder, write_tables
from runform.io.keypoints_csv import from_csv, to_csv
from runform.io.mocap import from_c3d, from_rbds_forces, from_rbds_joints, from_rbds_markers, from_trc
from runform.io.paths import check_input_file, read_table
from runform.io.registry import keypoint_suffixes, load_file, register_loader
from runform.io.serialise import (
    SCHEMA_VERSION,
    analysis_schema,
    analysis_to_dict,
    analysis_to_json,
    load_analysis_json,
    validate_analysis,
)
from runform.io.video import VIDEO_SUFFIXES, ReducedFrames, VideoFrame, VideoInfo, iter_frames, probe, reduced_size_px

__all__ = [
    "OUTPUT_FILES",
    "SCHEMA_VERSION",
    "analysis_schema",
    "validate_analysis",
    "VIDEO_SUFFIXES",
    "ReducedFrames",
    "VideoFrame",
    "VideoInfo",
    "analysis_to_dict",
    "analysis_to_json",
    "check_input_file",
    "check_output_folder",
    "from_c3d",
    "from_csv",
    "from_rbds_forces",
    "from_rbds_joints",
    "from_rbds_markers",
    "from_trc",
    "iter_frames",
    "keypoint_suffixes",
    "load_analysis_json",
    "load_file",
    "output_folder",
    "probe",
    "read_table",
    "reduced_size_px",
    "register_loader",
    "to_csv",
    "write_tables",
]
