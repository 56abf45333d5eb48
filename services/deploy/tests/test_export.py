"""ONNX export: parity with PyTorch for every registered architecture; a failed check raises with figures."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from pfd_deploy.domain.errors import ExportParityError
from pfd_deploy.domain.export import MIN_ARGMAX_AGREEMENT, export_onnx, parity, torch_logits
from pfd_deploy.domain.runtime import make_session, run_logits
from pfd_shared.models import registered_models

CHECK_WINDOWS = 64


@pytest.fixture
def exported(tiny_model, make_tones):
    def export(name: str):
        model, spec = tiny_model(name)
        windows, _ = make_tones(CHECK_WINDOWS, seed=3)
        return model, spec, windows, export_onnx(model, spec, windows)

    return export


@pytest.mark.parametrize("name", registered_models())
def test_every_registered_model_exports_with_parity(exported, name: str) -> None:
    model, spec, windows, export = exported(name)
    assert export.parity.windows == CHECK_WINDOWS
    assert export.parity.argmax_agreement >= MIN_ARGMAX_AGREEMENT
    assert export.parity.max_abs_diff < 1e-4
    session = make_session(export.model, threads=1)
    for batch in (1, 7):  # dynamic batch
        np.testing.assert_allclose(run_logits(session, windows[:batch]), torch_logits(model, windows[:batch]),
                                   atol=1e-4)
    props = {p.key: p.value for p in onnx.load_from_string(export.model).metadata_props}
    assert props["pfd.model"] == name and props["pfd.window_length"] == str(spec.window_length)
    assert props["pfd.dynamic_length"] == str(export.dynamic_length).lower()
    if export.dynamic_length:
        longer = np.tile(windows[:4], (1, 1, 3))
        np.testing.assert_allclose(run_logits(session, longer), torch_logits(model, longer), atol=1e-4)


def test_convolutional_models_keep_a_dynamic_length(exported) -> None:
    assert exported("cnn1d")[3].dynamic_length
    assert exported("resnet1d")[3].dynamic_length


def test_a_graph_that_does_not_match_raises_with_the_figures(exported, tiny_model) -> None:
    model, spec, windows, export = exported("cnn1d")
    other, _ = tiny_model("cnn1d", seed=1)
    with pytest.raises(ExportParityError, match=r"max \|logit difference\| .* argmax agreement") as caught:
        parity(other, spec, export.model, windows)
    assert caught.value.max_abs_diff > 1e-4


def test_check_windows_of_the_wrong_shape_are_refused(exported) -> None:
    model, spec, windows, _ = exported("cnn1d")
    with pytest.raises(ValueError, match=r"\(n, 1, 256\)"):
        export_onnx(model, spec, windows[:, :, :100])
