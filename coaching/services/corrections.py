"""Transcript correction: edit a segment's text or swap the speakers, then measure and score again.

The corrected transcript replaces the stored one, a new analysis row (metrics and checklist recomputed with
the active checklist) becomes current, and an audit line records who changed what. Voice figures are read
again from the stored audio; when it cannot be read, they are left out and the correction still applies.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path

from coaching.access import User, can_correct_transcript, require
from coaching.analysis.pipeline import speaker_signals
from coaching.analysis.scoring import score_call
from coaching.audio.decode import decode_audio
from coaching.checklist import Checklist
from coaching.errors import CoachingError, CorrectionError, NotFoundError
from coaching.metrics.compute import SpeakerSignals
from coaching.models import Analysis, Segment, Transcript, Word, spread_words
from coaching.services.config import analysis_config
from coaching.settings import Settings
from coaching.speakers.assign import swap_speakers
from coaching.store.app_tables import TranscriptEditRow
from coaching.store.calls import add_analysis_row, call_context, load_analysis, replace_transcript
from coaching.store.db import Database
from coaching.store.tables import CallRow

logger = logging.getLogger(__name__)
MAX_SEGMENT_CHARS = 5000


def retime_words(segment: Segment, text: str) -> tuple[Word, ...]:
    """Words of the corrected ``text``. Unchanged words keep their timing and confidence; changed or added
    words take the time of the words they replace (or the gap they fill), with probability 1."""
    tokens = text.split()
    old = list(segment.words)
    if not old:
        return spread_words(tokens, start_s=segment.start_s, end_s=segment.end_s)
    matcher = SequenceMatcher(a=[w.word.strip() for w in old], b=tokens, autojunk=False)
    words: list[Word] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            words += old[i1:i2]
        elif j2 > j1:
            if i2 > i1:  # replaced words: their own span
                start, end = old[i1].start_s, old[i2 - 1].end_s
            else:  # inserted words: the gap between their neighbours (at least 0.1 s per word)
                start = old[i1 - 1].end_s if i1 > 0 else segment.start_s
                end = old[i1].start_s if i1 < len(old) else segment.end_s
                end = max(end, start + 0.1 * (j2 - j1))
            words += spread_words(tokens[j1:j2], start_s=start, end_s=end)
    return tuple(words)


def edited_transcript(transcript: Transcript, *, position: int, text: str) -> Transcript:
    """The transcript with segment ``position``'s text replaced."""
    clean = " ".join(text.split())
    if not clean:
        raise CorrectionError("a segment cannot be empty; correct its words instead")
    if len(clean) > MAX_SEGMENT_CHARS:
        raise CorrectionError(f"a segment may have at most {MAX_SEGMENT_CHARS} characters")
    if not 0 <= position < len(transcript.segments):
        raise NotFoundError(f"no segment {position} (the call has {len(transcript.segments)})")
    segments = list(transcript.segments)
    old = segments[position]
    segments[position] = replace(old, text=clean, words=retime_words(old, clean))
    return replace(transcript, segments=tuple(segments))


def _signals(path: str, transcript: Transcript, settings: Settings) -> SpeakerSignals | None:
    try:
        audio = decode_audio(Path(path), max_file_bytes=settings.max_file_bytes, max_duration_s=settings.max_duration_s)
    except CoachingError as error:
        logger.warning("voice figures left out of the correction: %s", error)
        return None
    return speaker_signals(audio, transcript.channel_mode)


def _apply(
    user: User,
    db: Database,
    call_id: str,
    *,
    change: str,
    settings: Settings,
    checklist: Checklist | None,
    position: int | None = None,
    text: str = "",
) -> Analysis:
    with db.transaction() as session:
        require(
            can_correct_transcript(user, call_context(session, call_id)), user=user, action=f"correct call {call_id!r}"
        )
        current = load_analysis(session, call_id)
        row = session.get(CallRow, call_id)
        audio_path = row.audio_path if row else ""
    if change == "swap":
        transcript, old_text = swap_speakers(current.transcript), ""
    else:
        assert position is not None
        transcript = edited_transcript(current.transcript, position=position, text=text)
        old_text = current.transcript.segments[position].text
        if transcript.segments[position].text == old_text:
            raise CorrectionError("the text is unchanged")
    signals = _signals(audio_path, transcript, settings)
    active = checklist or analysis_config(settings, db).checklist  # the organisation's active checklist
    updated = score_call(current.call, transcript, checklist=active, signals=signals)
    with db.transaction() as session:
        row = session.get(CallRow, call_id)
        if row is None:
            raise NotFoundError(f"no call {call_id!r}")
        row.channel_mode = transcript.channel_mode
        replace_transcript(session, call_id, transcript)
        add_analysis_row(session, updated)
        session.add(
            TranscriptEditRow(
                call_id=call_id,
                kind=change,
                position=position,
                old_text=old_text,
                new_text=transcript.segments[position].text if position is not None else "",
                author_id=user.id,
                created_at=datetime.now(UTC),
            )
        )
    return updated


def edit_segment(
    user: User,
    db: Database,
    call_id: str,
    *,
    position: int,
    text: str,
    settings: Settings,
    checklist: Checklist | None = None,
) -> Analysis:
    """Replace one segment's text and re-compute metrics and checklist; returns the new current analysis."""
    return _apply(
        user, db, call_id, change="text", settings=settings, checklist=checklist, position=position, text=text
    )


def swap_call_speakers(
    user: User, db: Database, call_id: str, *, settings: Settings, checklist: Checklist | None = None
) -> Analysis:
    """Exchange agent and customer everywhere and re-compute metrics and checklist."""
    return _apply(user, db, call_id, change="swap", settings=settings, checklist=checklist)
