"""A single uploaded signal in the Signal Viewer: .npy/.csv/.mat read, analysed like a record; bad files named."""

import base64
import io

import numpy as np
import pytest
import scipy.io

from pfd_gateway.auth.errors import InvalidInput
from pfd_gateway.signals.uploads import UploadedSignal

FS = 12_000.0


def data_url(content: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(content).decode()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def tone(n: int = 24_000) -> np.ndarray:
    return np.sin(2 * np.pi * 157.0 * np.arange(n) / FS)


@pytest.fixture
def viewer(harness):
    return harness.gateway.signals


async def test_an_uploaded_npy_is_viewed_with_psd_stft_or_cwt_and_zoom(viewer) -> None:
    upload = UploadedSignal("tone.npy", data_url(npy(tone())), sample_rate_hz=FS, speed_hz=29.95)
    view = await viewer.uploaded(upload, 1024, "stft")
    assert view.uploaded and view.features == {} and view.duration_s == pytest.approx(2.0)
    assert view.psd.x[view.psd.y.argmax()] == pytest.approx(157.0, abs=3.0)
    assert view.spectrogram.method == "stft" and view.markers.harmonics[0].freq_hz == pytest.approx(29.95)
    assert (await viewer.uploaded(upload, 1024, "cwt")).spectrogram.method == "cwt"
    window = await viewer.uploaded_window(upload, 0.5, 0.51)
    assert window.x[0] == pytest.approx(0.5, abs=1 / FS) and len(window.x) == 121  # 0.50 .. 0.51 s inclusive


async def test_mat_and_csv_uploads_are_inspected_then_read_by_variable(viewer) -> None:
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {"X001_DE_time": tone()[:, None], "X001_FE_time": tone()[:, None],
                              "X001RPM": np.array([[1797.0]])})
    mat = UploadedSignal("rec.mat", data_url(buffer.getvalue()))
    found = await viewer.inspect_upload(mat)
    assert {v.name for v in found.variables} >= {"X001_DE_time", "X001_FE_time"} and found.shaft_speed_hz
    with pytest.raises(InvalidInput, match=r"rec\.mat: several signals"):
        await viewer.uploaded(UploadedSignal("rec.mat", mat.contents, sample_rate_hz=FS))
    chosen = UploadedSignal("rec.mat", mat.contents, variable="X001_DE_time", sample_rate_hz=FS)
    assert (await viewer.uploaded(chosen)).sample_rate_hz == FS
    csv = "t,acc\n" + "".join(f"{i / FS:.8f},{v:.6f}\n" for i, v in enumerate(tone(6_000)))
    found = await viewer.inspect_upload(UploadedSignal("log.csv", data_url(csv.encode())))
    assert found.sample_rate_hz == pytest.approx(FS, rel=1e-3)


@pytest.mark.parametrize("name, content, message", [
    ("nan.npy", npy(np.array([0.0, np.nan] * 100)), "nan.npy: 'array' contains 100 NaN/infinite value(s)"),
    ("empty.npy", b"", "empty.npy: the file is empty"),
    ("big.npy", npy(np.zeros(2_000_000)), "big.npy: about"),
    ("notes.txt", b"hello", "notes.txt: unsupported file type .txt"),
    ("data.npz", npy(tone()), "data.npz: unsupported file type .npz"),
    ("broken.mat", b"MATLAB 5.0 MAT-file" + b"\0" * 200, "broken.mat: not a readable MATLAB file"),
    ("short.npy", npy(np.zeros(4)), "short.npy: 4 samples are too few"),
])
async def test_bad_uploads_get_a_clear_message_naming_the_file(viewer, name, content, message) -> None:
    with pytest.raises(InvalidInput) as caught:
        await viewer.uploaded(UploadedSignal(name, data_url(content), sample_rate_hz=FS))
    assert str(caught.value).startswith(message)


async def test_a_missing_sample_rate_is_asked_for(viewer) -> None:
    with pytest.raises(InvalidInput, match="tone.npy: enter the sample rate"):
        await viewer.uploaded(UploadedSignal("tone.npy", data_url(npy(tone()))))
