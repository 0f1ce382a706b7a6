import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from coaching.asr.models import BASE_MODEL_BYTES, BASE_MODEL_SHA256, available_models, base_model_dir, resolve_model
from coaching.asr.transcriber import WhisperTranscriber
from coaching.errors import ModelError


def test_packaged_base_model_is_joined_once_and_matches_the_pinned_sha256(tmp_path: Path) -> None:
    directory = base_model_dir(tmp_path)
    model_bin = directory / "model.bin"
    assert model_bin.stat().st_size == BASE_MODEL_BYTES
    assert hashlib.sha256(model_bin.read_bytes()).hexdigest() == BASE_MODEL_SHA256
    assert {p.name for p in directory.iterdir()} >= {"model.bin", "config.json", "tokenizer.json", "vocabulary.json"}
    mtime = model_bin.stat().st_mtime_ns
    assert base_model_dir(tmp_path) == directory
    assert model_bin.stat().st_mtime_ns == mtime


def test_default_is_the_multilingual_base_and_tiny_en_is_english_only(tmp_path: Path) -> None:
    base = resolve_model(None, models_dir=tmp_path)
    assert (base.name, base.default, base.languages) == ("base", True, ("fi", "sv", "en"))
    tiny = resolve_model("tiny.en", models_dir=tmp_path)
    assert tiny.languages == ("en",)
    assert tiny.path is not None and (tiny.path / "model.bin").is_file()


def test_a_model_directory_is_accepted_and_a_non_model_directory_is_refused(tmp_path: Path) -> None:
    base_dir = base_model_dir(tmp_path / "models")
    info = resolve_model(str(base_dir), models_dir=tmp_path)
    assert info.path == base_dir and info.source == "directory"
    with pytest.raises(ModelError, match="not a faster-whisper model directory"):
        resolve_model(str(tmp_path), models_dir=tmp_path)


def test_unknown_name_is_refused_with_guidance(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="unknown model 'whisper-giant'"):
        resolve_model("whisper-giant", models_dir=tmp_path)


def test_hub_name_offline_fails_with_a_message_saying_how_to_use_a_directory(tmp_path: Path) -> None:
    info = resolve_model("small", models_dir=tmp_path)
    assert info.path is None
    transcriber = WhisperTranscriber(info, device="cpu")
    with pytest.raises(ModelError) as error:
        transcriber.detect_language(samples=np.zeros(16000, dtype=np.float32), allowed=("fi", "sv"))
    message = str(error.value)
    assert "COACHING_WHISPER_MODEL" in message and "\n" not in message


def test_available_models_lists_the_packaged_ones(tmp_path: Path) -> None:
    found = {m.name: m for m in available_models(models_dir=tmp_path, configured=None)}
    assert set(found) == {"base", "tiny.en"}
    assert found["base"].default and not found["tiny.en"].default
    assert json.loads(json.dumps(found["base"].to_dict()))["languages"] == ["fi", "sv", "en"]
