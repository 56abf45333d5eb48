import pytest
from pydantic import ValidationError

from pfd_shared.generation.config import GenerationConfig, balanced_v2, classic, preset, quick


def test_preset_sizes():
    assert classic().n_records == 1430
    assert balanced_v2().n_records == 3520
    assert quick().n_records == 110
    assert preset("quick") == quick()
    with pytest.raises(ValueError, match="unknown preset"):
        preset("nope")


def test_frozen_and_hash_stable():
    a, b = classic(), classic()
    assert a.config_hash() == b.config_hash() and len(a.config_hash()) == 64
    assert a.config_hash() != quick().config_hash()
    with pytest.raises(ValidationError):
        a.record.duration_s = 1.0  # type: ignore[misc]


def _error_text(**kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        GenerationConfig.model_validate(kwargs)
    return str(exc.value)


def test_sample_rate_error_names_field():
    text = _error_text(record={"sample_rate_hz": 4000.0})
    assert "record.sample_rate_hz" in text and "cavitation" in text


def test_rolling_resonance_needs_sample_rate():
    text = _error_text(bearing="rolling", record={"sample_rate_hz": 9000.0})
    assert "record.sample_rate_hz" in text and "rolling.resonance_hz" in text


def test_counts_and_classes_validated():
    assert "records_per_class" in _error_text(dataset={"records_per_class": -1})
    assert "classes" in _error_text(dataset={"classes": []})
    assert "dataset.classes" in _error_text(dataset={"classes": [0, 11]})
    assert "dataset.classes" in _error_text(bearing="rolling", dataset={"classes": [7]})
    assert "base_count" in _error_text(faults={"cavitation": {"bursts": {"base_count": -2}}})


def test_ranges_and_subsync_overlap():
    assert "exceeds upper bound" in _error_text(operating={"load_range": [0.9, 0.3]})
    text = _error_text(faults={"whirl": {"ratio": [0.42, 0.48]}})
    assert "faults.looseness.sub_ratio" in text and "faults.whirl.ratio" in text
    GenerationConfig.model_validate({"faults": {"whirl": {"ratio": [0.42, 0.48]}}, "allow_subsync_overlap": True})


def test_balanced_needs_multiple_of_levels():
    assert "records_per_class" in _error_text(dataset={"records_per_class": 10, "balanced_severity": True})
