"""What is stored of a call with an identifier in it (a scripted transcriber over espeak-ng speech, no model):
the redacted transcript, the recording with a tone over the identifier, the uploaded file's sha256 as the key,
and an unredacted original only when the setting keeps it, for admins only."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import select

from coaching.access import SYSTEM_USER, Role, User
from coaching.analysis.pipeline import AnalysisRequest
from coaching.audio.decode import decode_audio
from coaching.errors import AccessError
from coaching.models import Word
from coaching.redaction.audio import PAD_S, TONE_HZ
from coaching.services.calls import analyze_and_store, call_original_audio
from coaching.services.corrections import edit_segment
from coaching.services.feedback import add_comment, override_item
from coaching.services.sessions import add_action, save_notes, start_session
from coaching.settings import RedactionSettings, Settings
from coaching.store.app_tables import ActionItemRow, CoachingSessionRow, TranscriptEditRow
from coaching.store.db import Database
from coaching.store.tables import CallRow, SegmentRow
from tests.conftest import ScriptedTranscriber
from tests.integration.test_redaction_speech import CARD, _band_share, build_stereo_call

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
RATE_HZ = 16_000
CARD_START_S, STEP_S = 20.0, 0.3  # where the scripted customer "says" the card (inside the customer's speech)


@pytest.fixture(scope="module")
def call_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("redaction-store")
    path = workdir / "call.wav"
    sf.write(path, build_stereo_call(workdir).T, RATE_HZ)
    return path


def _words(tokens: list[str], start_s: float) -> list[Word]:
    return [Word(" " + t, start_s + i * STEP_S, start_s + i * STEP_S + 0.25, 0.9) for i, t in enumerate(tokens)]


def _analyse(call_file: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> tuple[Database, str]:
    monkeypatch.setattr("coaching.checklist.scoring.default_semantic_matcher", lambda: None)
    audio = decode_audio(call_file, max_file_bytes=settings.max_file_bytes, max_duration_s=settings.max_duration_s)
    card = [CARD[i : i + 4] for i in range(0, 16, 4)]
    transcriber = ScriptedTranscriber(
        channels=audio.samples,
        words_by_channel=[
            _words("good morning how can I help".split(), 1.0),
            _words(["the", "card", "number", "is", *card, "thanks"], CARD_START_S - 4 * STEP_S),
        ],
        language="en",
    )
    db = Database.open(settings.db_url)
    request = AnalysisRequest(path=call_file, agent_id="emma", language="en", source_filename=f"call-{CARD}.wav")
    analysis = analyze_and_store(SYSTEM_USER, request, settings=settings, transcriber=transcriber, db=db)  # type: ignore[arg-type]
    return db, analysis.call.id


def _settings(tmp_path: Path, **redaction: object) -> Settings:
    settings = Settings.from_env({"COACHING_DATA_DIR": str(tmp_path / "data")})
    return settings.with_overrides(redaction=RedactionSettings(**redaction))  # type: ignore[arg-type]


def test_the_stored_call_is_redacted_and_no_original_stays(
    call_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    db, call_id = _analyse(call_file, settings, monkeypatch)
    with db.transaction() as session:
        row = session.get(CallRow, call_id)
        assert row is not None
        audio_path, original, sha256, filename = (
            row.audio_path,
            row.original_audio_path,
            row.audio_sha256,
            row.source_filename,
        )
        texts = session.scalars(select(SegmentRow.text).where(SegmentRow.call_id == call_id)).all()
    db.dispose()
    assert sha256 == hashlib.sha256(call_file.read_bytes()).hexdigest()
    assert filename == "call-[CARD].wav" and original is None
    assert any("[CARD]" in t for t in texts) and not any(CARD[:4] in t for t in texts)
    assert Path(audio_path) == settings.audio_dir / sha256[:2] / f"{sha256}.flac"
    upload = call_file.read_bytes()
    files = [p for p in settings.data_dir.rglob("*") if p.is_file()]
    assert all(p.read_bytes() != upload for p in files)  # no verbatim copy of the upload anywhere
    assert not settings.original_audio_dir.exists()

    stored, rate_hz = sf.read(audio_path, dtype="float32", always_2d=True)
    original_samples, _ = sf.read(call_file, dtype="float32", always_2d=True)
    start_s, end_s = CARD_START_S - PAD_S, CARD_START_S + 3 * STEP_S + 0.25 + PAD_S
    a, b = int(start_s * rate_hz), int(end_s * rate_hz)
    for channel in (0, 1):
        assert _band_share(stored[a + 80 : b - 80, channel], rate_hz, around_hz=TONE_HZ) > 0.95
        np.testing.assert_allclose(stored[: a - 1, channel], original_samples[: a - 1, channel], atol=1e-3)
        np.testing.assert_allclose(stored[b + 1 :, channel], original_samples[b + 1 : len(stored), channel], atol=1e-3)


def test_a_kept_original_is_for_admins_only(call_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(tmp_path, keep_original_audio=True)
    db, call_id = _analyse(call_file, settings, monkeypatch)
    try:
        admin = User(id="ada", role="admin", name="Ada")
        kept = call_original_audio(admin, db, call_id)
        assert kept is not None and kept.read_bytes() == call_file.read_bytes()
        assert settings.original_audio_dir in kept.parents
        others: tuple[Role, ...] = ("manager", "coach", "agent")
        for role in others:
            with pytest.raises(AccessError):
                call_original_audio(User(id=f"u-{role}", role=role, agent_id="emma", team_ids=("t1",)), db, call_id)
    finally:
        db.dispose()


def test_redaction_off_stores_the_words_and_the_sound(
    call_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, enabled=False)
    db, call_id = _analyse(call_file, settings, monkeypatch)
    with db.transaction() as session:
        texts = session.scalars(select(SegmentRow.text).where(SegmentRow.call_id == call_id)).all()
        row = session.get(CallRow, call_id)
        assert row is not None
        audio_path = row.audio_path
    db.dispose()
    assert any(CARD[:4] in t for t in texts)
    stored, rate_hz = sf.read(audio_path, dtype="float32", always_2d=True)
    a = int(CARD_START_S * rate_hz)
    assert _band_share(stored[a : a + rate_hz // 2, 1], rate_hz, around_hz=TONE_HZ) < 0.5


def test_typed_comments_and_corrections_are_redacted(
    call_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    monkeypatch.delenv("COACHING_REDACTION", raising=False)
    db, call_id = _analyse(call_file, settings, monkeypatch)
    try:
        comment = add_comment(SYSTEM_USER, db, call_id, text="Customer asked to be called on 040 123 4567.")
        assert comment.text == "Customer asked to be called on [PHONE]."
        spaced = " ".join(CARD[i : i + 4] for i in range(0, 16, 4))
        corrected = edit_segment(
            SYSTEM_USER, db, call_id, position=0, text=f"good morning card {spaced} please", settings=settings
        )
        assert corrected.transcript.segments[0].text == "good morning card [CARD] please"
        with db.transaction() as session:
            stored = session.scalars(select(SegmentRow.text).where(SegmentRow.call_id == call_id)).all()
            edits = session.scalars(
                select(TranscriptEditRow.new_text).where(TranscriptEditRow.call_id == call_id)
            ).all()
        assert not any(CARD[:4] in t for t in [*stored, *edits])
        item_id = corrected.checklist.items[0].id
        review = override_item(
            SYSTEM_USER, db, call_id, item_id, passed=None, reason="customer e-mail anna.virtanen@example.fi"
        )
        assert review.reason == "customer e-mail [EMAIL]"
        session_id = start_session(SYSTEM_USER, db, "emma", held_on=date(2026, 11, 30))
        save_notes(SYSTEM_USER, db, session_id, f"paid with card {spaced}")
        add_action(SYSTEM_USER, db, session_id, text="call back on 040 123 4567", due_on=None)
        with db.transaction() as session:
            notes = session.scalars(select(CoachingSessionRow.notes)).all()
            actions = session.scalars(select(ActionItemRow.text)).all()
        assert notes == ["paid with card [CARD]"] and actions == ["call back on [PHONE]"]
    finally:
        db.dispose()
