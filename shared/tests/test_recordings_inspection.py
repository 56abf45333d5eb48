"""Inspecting uploads from their headers: variables, lengths, dtypes, detected sample rate and speed."""

import io
from pathlib import Path

import h5py
import numpy as np
import pytest
import scipy.io

from pfd_shared.recordings.inspection import inspect_stream
from pfd_shared.recordings.readers import ImportFileError

CWRU = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "cwru"


def mat_bytes(**variables: object) -> io.BytesIO:
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, variables)
    buffer.seek(0)
    return buffer


def test_mat_v5_lists_variables_and_finds_fs_and_rpm_without_reading_the_signal() -> None:
    inspection = inspect_stream(mat_bytes(acc=np.zeros((5000, 1), np.float32), Fs=np.array([[25600.0]]),
                                          X007RPM=np.array([[1730.0]])), "bench.mat")
    listed = {v.name: (v.shape, v.length, v.dtype, v.value) for v in inspection.variables}
    assert listed["acc"] == ((5000, 1), 5000, "float32", None)
    assert listed["Fs"][3] == 25600.0
    assert inspection.suggested_variable == "acc"
    assert (inspection.sample_rate_hz, inspection.sample_rate_source) == (25600.0, "variable Fs")
    assert inspection.shaft_speed_hz == pytest.approx(1730 / 60)


def test_mat_v73_with_its_user_block_is_read_as_hdf5() -> None:
    buffer = io.BytesIO()
    with h5py.File(buffer, "w", userblock_size=512) as h5:
        h5.create_dataset("vib", data=np.zeros((1, 300)))
        h5.create_dataset("sampling_rate", data=np.array([[51200.0]]))
    inspection = inspect_stream(buffer, "run.mat")
    assert {v.name: v.shape for v in inspection.variables} == {"vib": (300, 1), "sampling_rate": (1, 1)}
    assert inspection.sample_rate_hz == 51200.0


def test_csv_counts_rows_and_reads_the_rate_from_a_time_column() -> None:
    rows = "".join(f"{i / 2000:.6f},{np.sin(i):.5f},{i % 7}\n" for i in range(3000))
    inspection = inspect_stream(io.BytesIO(("time,acc,tacho\n" + rows).encode()), "log.csv")
    assert [(v.name, v.length) for v in inspection.variables] == [("time", 3000), ("acc", 3000), ("tacho", 3000)]
    assert inspection.sample_rate_hz == pytest.approx(2000.0) and inspection.sample_rate_source == "the time column"
    assert inspection.suggested_variable is None and inspection.notes  # two signals of one length: the user picks


def test_npy_and_npz_headers_and_a_rate_in_the_file_name() -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(4096, np.float32))
    inspection = inspect_stream(buffer, "motor_48kHz.npy")
    assert [(v.name, v.length, v.dtype) for v in inspection.variables] == [("array", 4096, "float32")]
    assert inspection.sample_rate_hz == 48_000 and "file name" in inspection.sample_rate_source
    buffer = io.BytesIO()
    np.savez(buffer, signal=np.zeros(100), fs=np.array(10_000.0))
    inspection = inspect_stream(buffer, "x.npz")
    assert inspection.suggested_variable == "signal" and inspection.sample_rate_hz == 10_000


@pytest.mark.parametrize("name, data, problem", [
    ("broken.mat", b"MATLAB 5.0 MAT-file, this is not one" + b"\0" * 200, "not a readable MATLAB file"),
    ("empty.csv", b"", "empty"),
    ("words.csv", b"a,b\nx,y\n", "not a numeric CSV"),
    ("broken.npz", b"PK\x03\x04 not a zip", "not a readable NumPy file"),
    ("notes.txt", b"hello", "unsupported file type"),
])
def test_unreadable_files_are_refused_naming_the_file(name, data, problem) -> None:
    with pytest.raises(ImportFileError) as caught:
        inspect_stream(io.BytesIO(data), name)
    assert str(caught.value).startswith(f"{name}: ") and problem in str(caught.value)


@pytest.mark.skipif(not CWRU.exists(), reason="the CWRU reference recordings (../shared/datasets/cwru) are absent")
def test_cwru_files_list_their_channels_and_rpm() -> None:
    for path in sorted(CWRU.glob("*.mat")):
        with open(path, "rb") as handle:
            inspection = inspect_stream(handle, path.name)
        names = [v.name for v in inspection.variables]
        assert any(name.endswith("_DE_time") for name in names), path.name
        assert inspection.shaft_speed_hz == pytest.approx(1796 / 60, abs=0.1)
        assert inspection.suggested_variable is None  # DE/FE(/BA) channels are equally long: the user picks
