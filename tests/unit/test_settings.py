from pathlib import Path

import pytest

from coaching.errors import SettingsError
from coaching.settings import Settings


def test_defaults_put_the_database_in_the_data_dir() -> None:
    s = Settings.from_env({})
    assert s.data_dir == Path("data")
    assert s.db_url == "sqlite:///data/coaching.db"
    assert s.agent_channel == "left"
    assert s.languages == ("fi", "sv", "en")
    assert s.whisper_model is None


def test_values_are_read_and_normalised() -> None:
    s = Settings.from_env(
        {
            "COACHING_DATA_DIR": "/tmp/x",
            "COACHING_AGENT_CHANNEL": "Right",
            "COACHING_LANGUAGES": "sv, fi",
            "COACHING_WHISPER_MODEL": "/models/small",
            "COACHING_MAX_FILE_MB": "1.5",
        }
    )
    assert s.db_url == "sqlite:////tmp/x/coaching.db"
    assert s.agent_channel == "right"
    assert s.languages == ("sv", "fi")
    assert s.whisper_model == "/models/small"
    assert s.max_file_bytes == int(1.5 * 1024 * 1024)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("COACHING_AGENT_CHANNEL", "middle"),
        ("COACHING_LANGUAGES", "fi,de"),
        ("COACHING_LANGUAGES", " , "),
        ("COACHING_DB_URL", "just-a-file.db"),
        ("COACHING_MAX_FILE_MB", "lots"),
        ("COACHING_MAX_FILE_MB", "nan"),
        ("COACHING_MAX_DURATION_MIN", "inf"),
        ("COACHING_MAX_DURATION_MIN", "-3"),
        ("COACHING_DEVICE", "tpu"),
        ("COACHING_ASR_VOCABULARY", "always"),
        ("COACHING_NPS_MIN_N", "0"),
        ("COACHING_FCR_WINDOW_DAYS", "a week"),
    ],
)
def test_bad_values_name_the_setting_in_one_line(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env({name: value})
    message = str(info.value)
    assert name in message
    assert "\n" not in message
