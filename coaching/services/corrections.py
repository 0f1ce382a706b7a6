"""Transcript correction: edit a segment's text or swap the speakers, then measure and score again.

Who decides the official score (:func:`coaching.access.can_decide_correction`): a coach of the agent's team or a
manager corrects at once (``applied``), and so does an agent on their own practice call. An agent's correction
of a real call is stored as ``proposed``: the transcript and the score stay as they are until a coach or manager
accepts it (:func:`accept_correction`, the same one scoring step) or rejects it (:func:`reject_correction`).

Applying a correction replaces the stored transcript, adds a new current analysis row (metrics and checklist
recomputed with the active checklist) and records who changed what in ``transcript_edits`` and the audit log
(:func:`coaching.services.audit.record`, in the same transaction). Voice figures are read again from the stored
audio; when it cannot be read, they are left out and the correction still applies.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from coaching.access import (
    User,
    can_decide_correction,
    can_propose_correction,
    may_read,
    require,
    require_read,
)
from coaching.analysis.pipeline import speaker_signals
from coaching.analysis.scoring import score_call
from coaching.audio.decode import decode_audio
from coaching.checklist import Checklist
from coaching.errors import CoachingError, ConflictError, CorrectionError, NotFoundError, NotVisibleError
from coaching.metrics.compute import SpeakerSignals
from coaching.models import Analysis, Segment, Transcript, Word, spread_words
from coaching.redaction import redact_text, redaction_policy
from coaching.scopes import CallContext
from coaching.services.audit import record
from coaching.services.config import analysis_config
from coaching.settings import Settings
from coaching.speakers.assign import swap_speakers
from coaching.store.app_tables import CommentRow, TranscriptEditRow
from coaching.store.calls import (
    add_analysis_row,
    call_context,
    current_analysis_row,
    load_analysis,
    replace_transcript,
)
from coaching.store.db import Database
from coaching.store.feedback import (
    ACCEPTED,
    APPLIED,
    PROPOSED,
    REJECTED,
    Correction,
    correction_of,
    corrections_of,
)
from coaching.store.tables import CallRow

logger = logging.getLogger(__name__)
MAX_SEGMENT_CHARS = 5000
MAX_REASON_CHARS = 2000


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


def _changed(current: Transcript, change: str, position: int | None, text: str) -> tuple[Transcript, str]:
    """The corrected transcript and the replaced segment text ("" for a swap); :class:`CorrectionError` when
    nothing changes."""
    if change == "swap":
        return swap_speakers(current), ""
    assert position is not None
    transcript = edited_transcript(current, position=position, text=text)
    old_text = current.segments[position].text
    if transcript.segments[position].text == old_text:
        raise CorrectionError("the text is unchanged")
    return transcript, old_text


def _detail(change: str, position: int | None, edit_id: int) -> str:
    """What the audit log says about a correction (never the text itself)."""
    return f"correction {edit_id}: " + ("speakers swapped" if change == "swap" else f"segment {position}")


def _rescored(
    db: Database, call_id: str, transcript: Transcript, *, settings: Settings, checklist: Checklist | None
) -> Analysis:
    """The one scoring step of a correction: metrics and checklist of ``transcript`` (outside any transaction)."""
    with db.transaction() as session:
        current = load_analysis(session, call_id)
        row = session.get(CallRow, call_id)
        audio_path = row.audio_path if row else ""
    signals = _signals(audio_path or "", transcript, settings)
    active = checklist or analysis_config(settings, db).checklist  # the organisation's active checklist
    return score_call(current.call, transcript, checklist=active, signals=signals)


def _analysis_id(session: Session, call_id: str) -> int | None:
    row = current_analysis_row(session, call_id)
    return row.id if row is not None else None


def _store(session: Session, updated: Analysis, *, based_on: int | None) -> None:
    """Write a corrected transcript and its analysis (the caller's transaction), unless another change made a
    newer current analysis since ``based_on`` was read (then :class:`ConflictError`: nothing is overwritten)."""
    row = session.get(CallRow, updated.call.id)
    if row is None:
        raise NotVisibleError.of("call", updated.call.id)
    if _analysis_id(session, updated.call.id) != based_on:
        raise ConflictError(f"call {updated.call.id} changed meanwhile; open it again and repeat the correction")
    row.channel_mode = updated.transcript.channel_mode
    replace_transcript(session, updated.call.id, updated.transcript)
    add_analysis_row(session, updated)


def _correct(
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
        ctx = call_context(session, call_id)
        require_read(user, ctx)
        require(can_propose_correction(user, ctx), user=user, action=f"correct call {call_id!r}")
        decides = can_decide_correction(user, ctx)
        current, based_on = load_analysis(session, call_id), _analysis_id(session, call_id)
    text = redact_text(text, current.transcript.language, redaction_policy(settings.redaction))  # typed ids too
    transcript, old_text = _changed(current.transcript, change, position, text)
    new_text = transcript.segments[position].text if position is not None else ""
    if not decides:  # a proposal: transcript and score stay until a coach accepts it
        with db.transaction() as session:
            edit = _edit_row(session, user, call_id, change, position, old_text, new_text, status=PROPOSED)
            record(
                session,
                user,
                action="propose_correction",
                object_kind="transcript",
                object_id=call_id,
                detail=_detail(change, position, edit.id),
            )
        return current
    updated = _rescored(db, call_id, transcript, settings=settings, checklist=checklist)
    with db.transaction() as session:
        _store(session, updated, based_on=based_on)
        edit = _edit_row(session, user, call_id, change, position, old_text, new_text, status=APPLIED)
        detail = _detail(change, position, edit.id)
        record(session, user, action="correct", object_kind="transcript", object_id=call_id, detail=detail)
    return updated


def _edit_row(
    session: Session,
    user: User,
    call_id: str,
    change: str,
    position: int | None,
    old_text: str,
    new_text: str,
    *,
    status: str,
) -> TranscriptEditRow:
    now = datetime.now(UTC)
    decided = status == APPLIED
    row = TranscriptEditRow(
        call_id=call_id,
        kind=change,
        position=position,
        old_text=old_text,
        new_text=new_text,
        author_id=user.id,
        created_at=now,
        status=status,
        decided_by=user.id if decided else None,
        decided_at=now if decided else None,
    )
    session.add(row)
    session.flush()
    return row


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
    """Replace one segment's text and re-compute metrics and checklist; returns the call's current analysis
    (unchanged when the correction is an agent's proposal, see :func:`coaching.access.can_decide_correction`)."""
    return _correct(
        user, db, call_id, change="text", settings=settings, checklist=checklist, position=position, text=text
    )


def swap_call_speakers(
    user: User, db: Database, call_id: str, *, settings: Settings, checklist: Checklist | None = None
) -> Analysis:
    """Exchange agent and customer everywhere and re-compute metrics and checklist (an agent's swap on a real
    call is a proposal); returns the call's current analysis."""
    return _correct(user, db, call_id, change="swap", settings=settings, checklist=checklist)


def list_corrections(user: User, db: Database, call_id: str) -> list[Correction]:
    """Every correction of a call, oldest first, for whoever may open the call."""
    with db.transaction() as session:
        require_read(user, call_context(session, call_id))
        return corrections_of(session, call_id)


def _proposal(session: Session, user: User, edit_id: int) -> tuple[TranscriptEditRow, CallContext]:
    """A proposed correction ``user`` may decide; one answer for a missing one and one on a call they cannot
    open; :class:`AccessError` when they see the call but do not decide (the agent themself)."""
    row = session.get(TranscriptEditRow, edit_id)
    ctx = call_context(session, row.call_id) if row is not None else None
    if row is None or ctx is None or not may_read(user, ctx):
        raise NotVisibleError.of("correction", edit_id)
    require(can_decide_correction(user, ctx), user=user, action=f"decide correction {edit_id} of call {ctx.call_id!r}")
    if row.status != PROPOSED:
        raise ConflictError(f"correction {edit_id} is {row.status or APPLIED}, not waiting for a decision")
    return row, ctx


def _decide(session: Session, user: User, edit_id: int, status: str) -> None:
    """Mark a proposal decided, once: a second decision (another coach at the same moment) is refused."""
    done = session.execute(
        update(TranscriptEditRow)
        .where(TranscriptEditRow.id == edit_id, TranscriptEditRow.status == PROPOSED)
        .values(status=status, decided_by=user.id, decided_at=datetime.now(UTC))
    )
    if getattr(done, "rowcount", 0) != 1:
        raise ConflictError(f"correction {edit_id} was decided meanwhile")


def accept_correction(
    user: User, db: Database, edit_id: int, *, settings: Settings, checklist: Checklist | None = None
) -> Analysis:
    """A coach or manager accepts an agent's proposed correction: it is applied to the current transcript and
    scored (the same step as a coach's own correction); returns the new current analysis.

    :class:`ConflictError` when the segment changed since the proposal (reject it; the agent proposes again)."""
    with db.transaction() as session:
        row, ctx = _proposal(session, user, edit_id)
        change, position, old_text, new_text = row.kind, row.position, row.old_text, row.new_text
        current, based_on = load_analysis(session, ctx.call_id), _analysis_id(session, ctx.call_id)
    if change != "swap":
        if position is None or not 0 <= position < len(current.transcript.segments):
            raise ConflictError(f"correction {edit_id}: the transcript changed since it was proposed")
        if current.transcript.segments[position].text != old_text:
            raise ConflictError(f"correction {edit_id}: segment {position} changed since it was proposed")
    transcript, _ = _changed(current.transcript, change, position, new_text)
    updated = _rescored(db, ctx.call_id, transcript, settings=settings, checklist=checklist)
    with db.transaction() as session:
        _decide(session, user, edit_id, ACCEPTED)
        _store(session, updated, based_on=based_on)
        detail = _detail(change, position, edit_id)
        record(
            session, user, action="accept_correction", object_kind="transcript", object_id=ctx.call_id, detail=detail
        )
    return updated


def reject_correction(user: User, db: Database, edit_id: int, reason: str = "") -> Correction:
    """A coach or manager rejects an agent's proposed correction; transcript and score stay. A ``reason`` is
    left as a comment on the call for the agent."""
    clean = reason.strip()
    if len(clean) > MAX_REASON_CHARS:
        raise CorrectionError(f"a reason may have at most {MAX_REASON_CHARS} characters (this has {len(clean)})")
    with db.transaction() as session:
        row, ctx = _proposal(session, user, edit_id)
        _decide(session, user, edit_id, REJECTED)
        if clean:
            where = "the speakers" if row.kind == "swap" else f"segment {row.position}"
            session.add(
                CommentRow(
                    call_id=ctx.call_id,
                    at_s=None,
                    text=f"Transcript correction of {where} not accepted: {clean}",
                    author_id=user.id,
                    author_name=user.name or user.id,
                    author_role=user.role,
                    created_at=datetime.now(UTC),
                )
            )
        detail = _detail(row.kind, row.position, edit_id)
        record(
            session, user, action="reject_correction", object_kind="transcript", object_id=ctx.call_id, detail=detail
        )
        session.flush()
        session.refresh(row)
        return correction_of(row)
