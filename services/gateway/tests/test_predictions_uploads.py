"""The signal to predict: files read by the import's readers, JSON arrays and batch CSVs; every bad input is an
InvalidInput that names the problem (the API turns it into a 422)."""

import base64
import io

import numpy as np
import pytest
import scipy.io

from pfd_gateway.auth.errors import InvalidInput
from pfd_gateway.predictions import uploads

LIMIT = 10 * 1024 * 1024


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def mat(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, arrays)
    return buffer.getvalue()


def csv_rows(rows: np.ndarray) -> bytes:
    text = io.StringIO()
    np.savetxt(text, rows, delimiter=",")
    return text.getvalue().encode()


SIGNAL = np.sin(np.arange(4096) / 7.0)


@pytest.mark.parametrize("name, data", [
    ("s.npy", npy(SIGNAL)), ("s.npy", npy(SIGNAL.astype(np.float32)[:, None])),
    ("s.mat", mat(DE_time=SIGNAL[:, None])), ("s.csv", csv_rows(SIGNAL[:, None])),
])
def test_npy_mat_and_csv_files_give_the_1d_signal(name, data) -> None:
    signal = uploads.read_file(name, data, LIMIT)
    assert signal.dtype == np.float64 and signal.shape == SIGNAL.shape
    np.testing.assert_allclose(signal, SIGNAL, rtol=1e-6, atol=1e-6)


def test_a_variable_chooses_among_several_signals() -> None:
    data = mat(DE_time=SIGNAL[:, None], FE_time=2 * SIGNAL[:, None])
    with pytest.raises(InvalidInput, match="several signals"):
        uploads.read_file("two.mat", data, LIMIT)
    np.testing.assert_allclose(uploads.read_file("two.mat", data, LIMIT, "FE_time"), 2 * SIGNAL)


@pytest.mark.parametrize("name, data, problem", [
    ("nan.npy", npy(np.r_[SIGNAL[:10], np.nan, SIGNAL[10:]]), "1 NaN/infinite value.*sample 10"),
    ("inf.npy", npy(np.r_[np.inf, SIGNAL]), "NaN/infinite value.*sample 0"),
    ("empty.npy", b"", "empty"),
    ("empty-array.npy", npy(np.array([], dtype=np.float64)), "no numeric signal"),
    ("short.npy", npy(SIGNAL[:5]), "5 samples are too few"),
    ("2d.npy", npy(np.ones((64, 3))), r"shape \(64, 3\): one channel"),
    ("signal.wav", b"RIFF....WAVE", "unsupported file type .wav"),
    ("noext", npy(SIGNAL), r"unsupported file type \(none\)"),
    ("broken.npy", b"not numpy at all", "not a readable NumPy file"),
    ("text.csv", b"a,b\nx,y\n", "not a numeric CSV|no numeric signal"),
])
def test_bad_files_are_refused_with_the_reason(name, data, problem) -> None:
    with pytest.raises(InvalidInput, match=problem) as caught:
        uploads.read_file(name, data, LIMIT)
    assert caught.value.field == uploads.FILE_FIELD


def test_a_file_over_the_limit_is_refused_before_it_is_read() -> None:
    data = npy(SIGNAL)
    with pytest.raises(InvalidInput, match=f"over the {len(data) - 1:,}-byte limit"):
        uploads.read_file("big.npy", data, len(data) - 1)


def test_a_browser_upload_is_decoded_then_read() -> None:
    contents = "data:application/octet-stream;base64," + base64.b64encode(npy(SIGNAL)).decode()
    np.testing.assert_allclose(uploads.read_data_url("s.npy", contents, LIMIT), SIGNAL)
    with pytest.raises(InvalidInput, match="Choose a signal file"):
        uploads.read_data_url(None, None, LIMIT)


@pytest.mark.parametrize("values, problem", [
    ([], "empty"), (None, "empty"),
    ([[1.0, 2.0], [3.0, 4.0]], "flat array of numbers: item 0 is list"),
    ([1.0, "2", 3.0], "item 1 is str"), ([True] * 32, "item 0 is bool"),
    ([1.0] * 20 + [float("nan")] + [1.0] * 20, "1 NaN/infinite value.*sample 20"),
    ([float("inf")] * 32, "32 NaN/infinite"),
    ([1.0, 2.0], "2 samples are too few"),
])
def test_bad_json_arrays_are_refused_with_the_reason(values, problem) -> None:
    with pytest.raises(InvalidInput, match=problem) as caught:
        uploads.read_values(values)
    assert caught.value.field == uploads.SIGNAL_FIELD


def test_a_json_array_of_ints_and_floats_is_a_signal() -> None:
    signal = uploads.read_values([1, 2.5, -3] * 10)
    assert signal.dtype == np.float64 and signal.size == 30


@pytest.mark.parametrize("rate", [None, 0.0, -1.0, float("nan"), float("inf")])
def test_the_sample_rate_is_a_positive_number(rate) -> None:
    with pytest.raises(InvalidInput, match="sample rate") as caught:
        uploads.sample_rate(rate)
    assert caught.value.field == uploads.RATE_FIELD


def test_the_shaft_speed_is_optional_but_positive() -> None:
    assert uploads.shaft_speed(None) is None and uploads.shaft_speed(29.5) == 29.5
    with pytest.raises(InvalidInput, match="shaft speed"):
        uploads.shaft_speed(-2.0)


def test_a_batch_csv_counts_its_rows() -> None:
    assert uploads.batch_csv_rows("batch.csv", csv_rows(np.tile(SIGNAL[:256], (3, 1))), LIMIT) == 3


@pytest.mark.parametrize("name, data, problem", [
    ("batch.npy", npy(SIGNAL), "unsupported file type .npy; use .csv"),
    ("batch.csv", b"", "empty"),
    ("batch.csv", b"1,2,3\n" * 4, "3 samples are too short"),
    ("batch.csv", b",".join([b"1"] * 32) + b"\n" + b",".join([b"1"] * 20 + [b"nan"] + [b"1"] * 11) + b"\n",
     "row 1 has a missing, NaN or infinite value \\(column 20\\)"),
    ("batch.csv", b"1,2,3,4\n1,2\n", "not a numeric CSV"),
])
def test_bad_batch_csvs_are_refused(name, data, problem) -> None:
    with pytest.raises(InvalidInput, match=problem):
        uploads.batch_csv_rows(name, data, LIMIT)
