"""Redaction end to end on a spoken test call (espeak-ng): the customer says a card number, a phone number, an
e-mail address and an identity code; ``python -m coaching analyze ... --json -`` prints, stores and logs none of
them, and the stored recording has a tone where they were said.

Run with the packaged base model (or ``COACHING_TEST_WHISPER_MODEL``, e.g. tiny.en): the assertions are properties
(the four placeholders are there, the digits are nowhere), not one model's words.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import inspect, text

from audio_samples.make_samples import SAMPLE_RATE_HZ, synthesize
from audio_samples.scripts import A, C, Voice
from coaching.redaction.audio import TONE_HZ
from coaching.settings import Settings
from coaching.store.db import Database
from tests.speech_helpers import MODELS_CACHE, SAMPLE_MODEL, speech_model

REPO = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (apt-get install espeak-ng)"
    ),
]

# What the customer says (digits one by one: espeak-ng reads "4 5 5 6" as "four five five six").
CARD = "4716240538291732"  # Luhn-valid, Visa range, no digit said twice in a row
PHONE = "0401234567"  # a Finnish mobile number
PERSONAL_ID = "8506121238"  # Swedish personnummer 850612-1238
EMAIL_WORDS = ("smith", "gmail")  # john.smith@gmail.com
SECRETS = (CARD, PHONE, PERSONAL_ID)
PLACEHOLDERS = ("[CARD]", "[PHONE]", "[EMAIL]", "[PERSONAL_ID]")


def _spell(digits: str, groups: tuple[int, ...]) -> str:
    parts, at = [], 0
    for size in groups:
        parts.append(" ".join(digits[at : at + size]))
        at += size
    return ", ".join(parts)


VOICES = {A: Voice("en-us+f2", 60, 140), C: Voice("en-us", 45, 115)}  # the customer slow and clear
TURNS = (
    (A, "Good morning, this is the collections team. How can I help you today?"),
    (C, "I want to pay my invoice with a card."),
    (A, "Of course. What is the card number?"),
    (C, f"The card number is {_spell(CARD, (4, 4, 4, 4))}."),
    (A, "Thank you. And a phone number where we can reach you?"),
    (C, f"My phone number is {_spell(PHONE, (3, 3, 4))}."),
    (A, "And your email address?"),
    (C, "My email address is john dot smith at gmail dot com."),
    (A, "Finally, your personal identity number, please."),
    (C, f"My personal identity number is {_spell(PERSONAL_ID, (6, 4))}."),
    (A, "Thank you, the payment is registered. Have a good day."),
)
GAP_S = 0.7


def build_stereo_call(workdir: Path) -> np.ndarray:
    """The call as (2, n) samples at 16 kHz: agent left, customer right, one turn after the other."""
    clips = [(speaker, synthesize(text=line, voice=VOICES[speaker], workdir=workdir)) for speaker, line in TURNS]
    gap = int(GAP_S * SAMPLE_RATE_HZ)
    stereo = np.zeros((2, gap + sum(clip.size + gap for _, clip in clips)), dtype=np.float32)
    at = gap
    for speaker, clip in clips:
        stereo[0 if speaker == A else 1, at : at + clip.size] = clip
        at += clip.size + gap
    return stereo


_WORD_DIGITS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6"}
_WORD_DIGITS |= {"seven": "7", "eight": "8", "nine": "9"}


def digits_of(blob: str) -> str:
    """``blob`` with English digit words as digits and everything but letters and digits removed (a check
    independent of coaching.redaction)."""
    lowered = re.sub(r"[a-z]+", lambda m: _WORD_DIGITS.get(m.group(), m.group()), blob.lower())
    return re.sub(r"[^0-9a-z]", "", lowered)


def leaks(blob: str) -> list[str]:
    """The secrets (or their last eight digits) and e-mail words that ``blob`` still holds."""
    flat = digits_of(blob)
    found = [s for s in SECRETS if s[-8:] in flat]
    return found + [w for w in EMAIL_WORDS if w in blob.lower()]


@pytest.fixture(scope="module")
def call_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("redaction-call")
    path = workdir / "redaction-call.wav"
    sf.write(path, build_stereo_call(workdir).T, SAMPLE_RATE_HZ)
    return path


def _model_argument() -> str:
    """``--model``: the model under test, as a directory when it is the packaged base (no copy in the data dir)."""
    from coaching.asr.models import resolve_model

    model = speech_model(SAMPLE_MODEL)
    model.require("en")
    info = resolve_model(model.name, models_dir=MODELS_CACHE)
    return str(info.path) if info.path is not None else model.name


def _band_share(samples: np.ndarray, rate_hz: int, *, around_hz: float, width_hz: float = 40.0) -> float:
    """The share of a stretch's energy within ``width_hz`` of ``around_hz``."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1.0 / rate_hz)
    return float(spectrum[np.abs(freqs - around_hz) <= width_hz].sum() / max(spectrum.sum(), 1e-12))


def test_a_spoken_call_stores_prints_and_logs_no_identifier(call_file: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {**os.environ, "COACHING_DATA_DIR": str(data_dir), "COACHING_DEVICE": "cpu", "HF_HUB_OFFLINE": "1"}
    env.pop("COACHING_REDACTION", None)
    env.pop("COACHING_KEEP_ORIGINAL_AUDIO", None)
    command = [sys.executable, "-m", "coaching", "analyze", str(call_file), "--agent", "emma", "--language", "en"]
    command += ["--model", _model_argument(), "--json", "-"]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    printed = done.stdout[done.stdout.index("{") : done.stdout.rindex("}") + 1]
    analysis = json.loads(printed)
    customer = " ".join(s["text"] for s in analysis["transcript"]["segments"] if s["speaker"] == "customer")
    for placeholder in PLACEHOLDERS:  # recognised and redacted: each is replaced by its placeholder
        assert placeholder in customer, f"{placeholder} missing from the customer's words: {customer!r}"
    assert leaks(done.stdout) == [] and leaks(done.stderr) == []  # printed JSON, messages and logs

    settings = Settings.from_env({"COACHING_DATA_DIR": str(data_dir)})
    db = Database.open(settings.db_url)
    try:
        with db.engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            assert "calls" in tables
            for table in tables:  # every text and JSON cell of every table
                for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                    assert leaks(" ".join(str(cell) for cell in row)) == [], table
            [(audio_path, original_path, sha256)] = conn.execute(
                text("SELECT audio_path, original_audio_path, audio_sha256 FROM calls")
            ).all()
    finally:
        db.dispose()
    assert sha256 == hashlib.sha256(call_file.read_bytes()).hexdigest()  # the key stays the uploaded file's
    assert original_path is None  # no unredacted copy by default
    files = [p for p in data_dir.rglob("*") if p.is_file() and "models" not in p.relative_to(data_dir).parts]
    assert Path(audio_path) in files
    for path in files:  # the database file, the stored audio, anything else written
        assert leaks(path.read_bytes().decode("latin-1")) == [], path.name

    stored, rate_hz = sf.read(audio_path, dtype="float32", always_2d=True)
    original, original_rate_hz = sf.read(call_file, dtype="float32", always_2d=True)
    assert rate_hz == original_rate_hz and abs(len(stored) - len(original)) <= rate_hz // 100
    placeholders = [
        w for s in analysis["transcript"]["segments"] for w in s["words"] if any(p in w["word"] for p in PLACEHOLDERS)
    ]
    assert len(placeholders) >= 4
    for word in placeholders:  # the tone over each redacted stretch, both channels
        a, b = int((word["start_s"] + 0.05) * rate_hz), int((word["end_s"] - 0.05) * rate_hz)
        for channel in range(stored.shape[1]):
            assert _band_share(stored[a:b, channel], rate_hz, around_hz=TONE_HZ) > 0.9
    agent = [s for s in analysis["transcript"]["segments"] if s["speaker"] == "agent"]
    first = agent[0]  # the agent's greeting is untouched speech, not tone
    a, b = int(first["start_s"] * rate_hz), int(first["end_s"] * rate_hz)
    assert _band_share(stored[a:b, 0], rate_hz, around_hz=TONE_HZ) < 0.2
    assert np.corrcoef(stored[a:b, 0], original[a:b, 0])[0, 1] > 0.99  # the same speech, only FLAC-coded
