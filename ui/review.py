"""Parts of the call review page: metric cards, checklist with actions, transcript, comments, corrections."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from coaching.access import User
from coaching.checklist.quality import TranscriptQuality
from coaching.checklist.reviews import ReviewedItem
from coaching.metrics.norms import Norms, flag_rules
from coaching.metrics.types import CallMetrics, NormCheck
from coaching.models import SPEAKERS
from coaching.services.corrections import accept_correction, edit_segment, reject_correction, swap_call_speakers
from coaching.services.feedback import add_comment, override_item, respond_to_item
from coaching.services.retention import CallPrivacy, call_privacy, set_legal_hold
from coaching.views.calls import CallReview, TranscriptEdit
from ui.resources import analysis_config, database
from ui.text import plain
from ui.widgets import JUMP_KEY, choose, clock, jump_button, shown_errors, table, transcript_html

OK, BAD, NONE = ":green[:material/check_circle:]", ":red[:material/cancel:]", ":gray[:material/remove:]"
WARN = ":orange[:material/warning:]"
UNSURE = ":orange[:material/help:]"
STATUS_ICON = {"within": OK, "below": WARN, "above": WARN, "unknown": NONE}
PASS_ICON = {True: OK, False: BAD, None: NONE}
CARDS = (
    "talk_ratio_agent",
    "agent_articulation_rate_sps",
    "rate_matching",
    "longest_customer_story_s",
    "longest_silence_s",
    "agent_interruptions",
    "response_latency_median_s",
    "agent_fillers_per_minute",
)


def _shown(norm: NormCheck) -> str:
    value = norm.value
    if value is None or math.isnan(value):
        return "n/a"
    if norm.unit == "share":
        return f"{value:.0%}"
    unit = f" {norm.unit}" if norm.unit else ""
    return f"{value:.1f}{unit}" if abs(value) < 100 else f"{value:.0f}{unit}"


def talk_share_norm(language: str) -> str:
    """The agent talk-share norm of ``language`` as text (``40–60 %``), from the norms file."""
    band = Norms.load(language).bands["talk_ratio_agent"]
    low, high = (None if v is None else f"{v * 100:.0f}" for v in (band.low, band.high))
    if low is not None and high is not None:
        return f"{low}–{high} %"
    return f"at least {low} %" if low is not None else f"at most {high} %" if high is not None else "none"


def metric_cards(metrics: CallMetrics) -> None:
    """Metrics against their norm bands, each with its plain explanation."""
    norms = metrics.norms
    keys = [k for k in CARDS if k in norms] + [k for k in norms if k not in CARDS]
    if not keys:
        st.info("No metrics with norms in this analysis.")
        return
    cols = st.columns(4)
    for n, key in enumerate(keys):
        norm = norms[key]
        with cols[n % 4].container(border=True):
            st.metric(f"{STATUS_ICON.get(norm.status, '')} {norm.label or key}", _shown(norm))
            st.caption(norm.why)


def flag_moments(metrics: CallMetrics) -> list[tuple[float, str]]:
    """Moments worth listening to: long silences, interruptions, overtalk, the longest wait and monologue (over
    the thresholds in the norms file, :func:`coaching.metrics.norms.flag_rules`)."""
    rules = flag_rules()
    moments: list[tuple[float, str]] = []
    for gap in metrics.silences:
        moments.append((gap.start_s, f"{'flagged ' if gap.flagged else ''}silence of {gap.duration_s:.0f} s"))
    for event in metrics.interruptions.events:
        moments.append((event.start_s, f"agent started while the customer spoke: “{event.text}”"))
    for stretch in metrics.overtalk.events:
        moments.append((stretch.start_s, f"both talking for {stretch.duration_s:.1f} s"))
    latency = metrics.response_latency
    if latency.max_at_s is not None and (latency.max_s or 0) > rules.moment_reply_wait_s:
        moments.append((latency.max_at_s, f"the customer waited {latency.max_s:.1f} s for a reply"))
    monologue = metrics.longest_agent_monologue
    if monologue is not None and monologue.duration_s > rules.moment_monologue_s:
        moments.append((monologue.start_s, f"agent monologue of {monologue.duration_s:.0f} s"))
    return sorted(moments)


def flags_list(metrics: CallMetrics) -> None:
    moments = flag_moments(metrics)
    if not moments:
        st.caption("No flagged moments: no long silence, interruption or overtalk.")
    for n, (at, text) in enumerate(moments):
        cols = st.columns([1, 8])
        with cols[0]:
            jump_button(at, key=f"flag-{n}")
        cols[1].markdown(plain(text))  # the moment's text quotes the transcript


def item_mark(item: ReviewedItem) -> str:
    """The icon of an item as people see it: passed, failed, uncertain, or no result."""
    if item.passed is None and item.result.uncertain:
        return UNSURE
    return PASS_ICON.get(item.passed, NONE)


def score_basis(scored_items: int, total_items: int) -> str:
    """What a score stands on, e.g. ``on 9 of 12 items``."""
    return f"on {scored_items} of {total_items} items"


def quality_note(quality: TranscriptQuality | None, uncertain_items: int) -> None:
    """How sure the recogniser was of each speaker's words; a warning when the agent's transcript is unsure."""
    if quality is None:
        return
    parts = []
    for speaker in SPEAKERS:
        q, share = quality.of(speaker), quality.of(speaker).low_probability_share
        if share is not None and q.mean_probability is not None:
            parts.append(f"{speaker} {share:.0%} of {q.words} words unsure (mean {q.mean_probability:.0%})")
    if not parts:
        return
    st.caption(
        f"Transcript quality (words below {quality.low_probability:.0%} recogniser probability): " + " · ".join(parts)
    )
    if quality.low("agent"):
        st.warning(
            "The recogniser was unsure of much of the agent's speech, so a phrase item that found nothing is "
            f"**uncertain** instead of failed ({uncertain_items} here): listen before judging. "
            "A larger speech model (small or larger) transcribes Finnish and Swedish better."
        )


def checklist_items(user: User, review: CallReview) -> None:
    """Each item with evidence (jump), suggestion, and override or acknowledge / dispute where allowed."""
    call_id = review.analysis.call.id
    for item in review.checklist.items:
        auto, item_id = item.result, item.id
        unsure, mark = auto.uncertain and item.passed is None, item_mark(item)
        changed = " · coach override" if item.override else " · uncertain" if unsure else ""
        with st.expander(f"{mark} {plain(auto.label or item_id)}{changed}", expanded=item.passed is False or unsure):
            verdict = (
                f"automatic result uncertain {UNSURE}"
                if auto.uncertain
                else f"automatic result {PASS_ICON.get(auto.passed)} · confidence {auto.confidence:.0%}"
            )
            st.caption(f"{plain(auto.category)} · {verdict}" + (f" · {plain(auto.reason)}" if auto.reason else ""))
            for n, ev in enumerate(auto.evidence):
                cols = st.columns([1, 6])
                with cols[0]:
                    jump_button(ev.start_s, key=f"ev-{item_id}-{n}")
                who = f"{plain(ev.speaker)}: " if ev.speaker else ""
                cols[1].markdown(f"{who}“{plain(ev.quote)}” _({plain(ev.role)})_")
            if auto.suggestion and item.passed is False:  # only where the item failed with confidence
                st.info(f"**Say it like this:** {plain(auto.suggestion)}")
            if item.override:
                st.warning(f"Coach: {PASS_ICON[item.override.passed]} — {plain(item.override.reason or 'confirmed')}")
            if item.response:
                reason = item.response.reason
                st.caption(f"Agent {plain(item.response.kind)}d" + (f": {plain(reason)}" if reason else ""))
            if review.can_override:
                _override_form(user, call_id, item)
            if review.can_respond and item.passed is not None:
                _response_form(user, call_id, item_id)


def _override_form(user: User, call_id: str, item: ReviewedItem) -> None:
    item_id = item.id
    with st.form(f"override-{item_id}"):
        choice = st.radio(
            "Coach result",
            ["confirm automatic", "passed", "failed", "back to automatic"],
            horizontal=True,
            key=f"ov-choice-{item_id}",
        )
        reason = st.text_input("Reason (required when you change the result)", key=f"ov-reason-{item_id}")
        if st.form_submit_button("Save coach result", key=f"ov-save-{item_id}"):
            passed = {"confirm automatic": item.auto_passed, "passed": True, "failed": False}.get(choice)
            with shown_errors():
                override_item(user, database(), call_id, item_id, passed=passed, reason=reason)
                st.rerun()


def _response_form(user: User, call_id: str, item_id: str) -> None:
    cols = st.columns([1, 3, 1])
    if cols[0].button("Acknowledge", key=f"ack-{item_id}"):
        with shown_errors():
            respond_to_item(user, database(), call_id, item_id, agrees=True)
            st.rerun()
    reason = cols[1].text_input(
        "Why you disagree", key=f"dis-reason-{item_id}", label_visibility="collapsed", placeholder="Why you disagree"
    )
    if cols[2].button("Dispute", key=f"dis-{item_id}"):
        with shown_errors():
            respond_to_item(user, database(), call_id, item_id, agrees=False, reason=reason)
            st.rerun()


def transcript_view(review: CallReview) -> None:
    """Segments by speaker with jump buttons; words the recogniser was unsure of are shaded."""
    st.caption("Shaded words: the recogniser was less than 60 % sure. Correct them in *Correct transcript*.")
    for n, seg in enumerate(review.analysis.transcript.segments):
        cols = st.columns([1, 1, 8])
        with cols[0]:
            jump_button(seg.start_s, key=f"seg-{n}")
        cols[1].markdown(f"**{'Agent' if seg.speaker == 'agent' else 'Customer'}**")
        cols[2].markdown(transcript_html(seg), unsafe_allow_html=True)


def comments_view(user: User, review: CallReview) -> None:
    for comment in review.comments:
        cols = st.columns([1, 8])
        with cols[0]:
            if comment.at_s is not None:
                jump_button(comment.at_s, key=f"cm-{comment.id}")
        author = f"**{plain(comment.author_name)}** ({plain(comment.author_role)})"
        cols[1].markdown(f"{author}: {plain(comment.text)}")
    if not review.comments:
        st.caption("No comments yet.")
    if not review.can_comment:
        return
    with st.form("comment", clear_on_submit=True):
        at = st.number_input(
            "At (seconds into the call)",
            min_value=0.0,
            max_value=float(review.analysis.call.duration_s),
            value=min(float(st.session_state.get(JUMP_KEY, 0.0)), float(review.analysis.call.duration_s)),
            step=1.0,
        )
        text = st.text_area("Comment")
        if st.form_submit_button("Add comment"):
            with shown_errors():
                add_comment(user, database(), review.analysis.call.id, text=text, at_s=at)
                st.rerun()


def correction_view(user: User, review: CallReview) -> None:
    """Edit one segment's text or swap the speakers. A coach's correction (and an agent's on their own practice
    call) is measured and scored again at once; an agent's correction of a real call is proposed and waits for
    the coach, who accepts (the score changes) or rejects it."""
    call_id = review.analysis.call.id
    segments = review.analysis.transcript.segments
    pending = [e for e in review.edits if e.status == "proposed"]
    if pending:
        _proposals(user, review, pending)
    if not review.can_correct or not segments:
        st.caption("Nothing to correct.")
        return
    decides = review.can_decide
    if not decides:
        st.caption("Your corrections of a real call are proposals: the score changes when a coach accepts them.")
    labels = {n: f"{clock(s.start_s)} {s.speaker}: {s.text[:70]}" for n, s in enumerate(segments)}
    position: int = choose("Segment", labels, key="fix-segment")
    with st.form("fix"):
        text = st.text_area("Corrected text", value=segments[position].text, key=f"fix-text-{position}")
        if st.form_submit_button("Save correction and re-score" if decides else "Propose correction"):
            with shown_errors(), st.spinner("Measuring and scoring again…" if decides else "Saving…"):
                config = analysis_config()
                edit_segment(
                    user,
                    database(),
                    call_id,
                    position=position,
                    text=text,
                    settings=config.settings,
                    checklist=config.checklist,
                )
                st.rerun()
    swap_label = "Swap agent and customer" if decides else "Propose swapping agent and customer"
    if st.button(swap_label, help="When the speakers were assigned the wrong way round"):
        with shown_errors(), st.spinner("Measuring and scoring again…" if decides else "Saving…"):
            config = analysis_config()
            swap_call_speakers(user, database(), call_id, settings=config.settings, checklist=config.checklist)
            st.rerun()
    if review.edits:
        table(pd.DataFrame(review.edits), "corrections")


def _proposals(user: User, review: CallReview, pending: list[TranscriptEdit]) -> None:
    """Proposed corrections: the agent sees them waiting; a coach sees old and new text with Accept / Reject."""
    st.markdown(f"**Proposed corrections ({len(pending)})**")
    for edit in pending:
        where = "swap agent and customer" if edit.kind == "swap" else f"segment {edit.segment}"
        waiting = "" if review.can_decide else " · proposed, waiting for your coach"
        with st.container(border=True):
            st.caption(f"{plain(edit.by)} · {edit.when:%Y-%m-%d %H:%M} · {where}{waiting}")
            if edit.kind != "swap":
                st.markdown(f"Now: {plain(edit.old)}")
                st.markdown(f"Proposed: {plain(edit.new)}")
            if not review.can_decide:
                continue
            cols = st.columns([1, 4, 1])
            if cols[0].button("Accept", key=f"accept-{edit.id}", type="primary"):
                with shown_errors(), st.spinner("Measuring and scoring again…"):
                    config = analysis_config()
                    accept_correction(user, database(), edit.id, settings=config.settings, checklist=config.checklist)
                    st.rerun()
            reason = cols[1].text_input(
                "Why not",
                key=f"reject-reason-{edit.id}",
                label_visibility="collapsed",
                placeholder="Why not (left as a comment for the agent)",
            )
            if cols[2].button("Reject", key=f"reject-{edit.id}"):
                with shown_errors():
                    reject_correction(user, database(), edit.id, reason)
                    st.rerun()


def legal_hold_view(user: User, call_id: str) -> CallPrivacy | None:
    """The call's legal hold (shown; placed or released by managers and admins, with a reason for the audit log)
    and whether the retention policy deleted its audio."""
    db = database()
    privacy = call_privacy(user, db, call_id)
    if privacy.legal_hold:
        st.info("Legal hold: this call is kept whatever the retention policy says, and cannot be erased.")
    if not privacy.can_set_hold:
        return privacy
    with st.expander("Legal hold" + (" (on)" if privacy.legal_hold else "")):
        reason = st.text_input("Reason (e.g. a case reference; goes into the audit log)", key=f"hold-reason-{call_id}")
        label = "Release the legal hold" if privacy.legal_hold else "Place a legal hold"
        if st.button(label, key=f"hold-{call_id}"):
            with shown_errors():
                set_legal_hold(user, db, call_id, held=not privacy.legal_hold, reason=reason)
                st.rerun()
    return privacy
