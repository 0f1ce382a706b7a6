"""Demo data for a fresh database, clearly marked as demo.

Two teams, six agents (two per language), two coaches, a manager and an admin as sign-in users (demo mode only:
they have no sign-in subject or e-mail, so with an identity provider nobody signs in as them until an admin links
one). Each of the seven sample calls in ``audio_samples/`` is analysed once for real; about thirty more calls
over six months are derived from those analyses (:mod:`coaching.demo.calls`, ids ``demo-…``, files ``DEMO …``),
plus private practice calls. Then coach comments, overrides, agent responses, coaching sessions with action items,
competence ratings, and six months of demo NPS answers (:mod:`coaching.demo.surveys`).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from coaching.access import SYSTEM_USER, User
from coaching.analysis.config import AnalysisConfig
from coaching.analysis.pipeline import AnalysisRequest
from coaching.asr.transcriber import Transcriber
from coaching.demo.calls import derived_analysis, vary_transcript
from coaching.demo.surveys import seed_demo_surveys
from coaching.models import Analysis
from coaching.services.admin import APP_ROLES
from coaching.services.calls import analyze_and_store
from coaching.services.config import analysis_config
from coaching.services.feedback import add_comment, override_item, respond_to_item
from coaching.services.practice import record_attempt, share_practice_call
from coaching.services.sessions import find_patterns, stored_agenda
from coaching.settings import Settings
from coaching.store.app_tables import ActionItemRow, AppUserRow, CoachingSessionRow, CoachRatingRow
from coaching.store.calls import count_calls, ensure_agent, save_analysis
from coaching.store.db import Database
from coaching.store.feedback import current_checklist
from coaching.store.results import load_results
from coaching.store.tables import CallRow, TeamRow

logger = logging.getLogger(__name__)

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "audio_samples"
DEMO_TEAMS = (("team-north", "Team North"), ("team-south", "Team South"))
# agent id, name, team, language, the sample analysed for real, improving over time
DEMO_AGENTS = (
    ("aino", "Aino Virtanen", "team-north", "fi", "fi_good", False),
    ("eero", "Eero Mäkinen", "team-north", "fi", "fi_poor", True),
    ("sara", "Sara Lindqvist", "team-north", "sv", "sv_good", False),
    ("johan", "Johan Berg", "team-south", "sv", "sv_poor", False),
    ("emma", "Emma Wilson", "team-south", "en", "en_good", False),
    ("oliver", "Oliver Brown", "team-south", "en", "en_poor", True),
)
EXTRA_SAMPLES = (("emma", "en_short"),)
DEMO_STAFF = (
    ("coach-north", "Kaisa Korhonen", "coach", ("team-north",)),
    ("coach-south", "Liam Nilsson", "coach", ("team-south",)),
    ("manager", "Maria Manager", "manager", ()),
    ("admin", "Alex Admin", "admin", ()),
)
DERIVED_MONTHS_AGO = (5, 4, 3, 2, 1)
PRACTICE_SCENARIOS = ("energy-bill", "angry-fees", "due-date", "unclear-term", "forgot-bill", "energy-bill")


@dataclass(frozen=True)
class SeedReport:
    seeded: bool
    calls: int
    message: str


def ensure_demo_users(db: Database) -> None:
    """Demo teams, agents and sign-in users (idempotent; existing rows are kept)."""
    now = datetime.now(UTC)
    with db.transaction() as session:
        for team_id, name in DEMO_TEAMS:
            if session.get(TeamRow, team_id) is None:
                session.add(TeamRow(id=team_id, name=name))
        session.flush()
        people = [(a, n, "agent", (t,)) for a, n, t, *_ in DEMO_AGENTS] + list(DEMO_STAFF)
        for user_id, name, role, teams in people:
            assert role in APP_ROLES
            if role == "agent":
                ensure_agent(session, user_id, name=name, team_id=teams[0])
            if session.get(AppUserRow, user_id) is None:
                session.add(
                    AppUserRow(
                        id=user_id,
                        name=name,
                        role=role,
                        agent_id=user_id if role == "agent" else None,
                        team_ids=list(teams) if role == "coach" else [],
                        active=True,
                        created_at=now,
                    )
                )


def demo_user(user_id: str, db: Database) -> User:
    with db.transaction() as session:
        row = session.get(AppUserRow, user_id)
        assert row is not None
        return User(row.id, row.role, row.name, row.agent_id, tuple(row.team_ids or ()))  # type: ignore[arg-type]


def seed_demo(
    *,
    settings: Settings,
    db: Database,
    transcriber: Transcriber,
    if_empty: bool = True,
    progress: Callable[[str], None] | None = None,
    today: date | None = None,
) -> SeedReport:
    """Seed the demo (skipped when calls exist and ``if_empty``), analysed and scored with the organisation's
    :func:`~coaching.services.config.analysis_config` like any other call."""
    say = progress or (lambda _message: None)
    with db.transaction() as session:
        existing = count_calls(session)
    if if_empty and existing:
        return SeedReport(False, existing, f"database already holds {existing} calls; not seeding")
    day = today or date.today()
    ensure_demo_users(db)
    config = analysis_config(settings, db)
    real = _analyse_samples(config, db, transcriber, day, say)
    say("deriving demo calls from the sample analyses")
    derived = _derive_calls(db, real, day, config)
    say("adding coach feedback, coaching sessions and ratings")
    _feedback(db, derived)
    _sessions(db, day)
    say("adding six months of demo NPS answers")
    surveys = seed_demo_surveys(SYSTEM_USER, db, end=day, seed=7)
    total = len(real) + len(derived) + len(DEMO_AGENTS)
    return SeedReport(
        True,
        total,
        f"seeded {len(DEMO_AGENTS)} agents and {total} demo calls ({len(real)} analysed from audio_samples/, "
        f"{len(derived)} real and {len(DEMO_AGENTS)} practice calls derived from them, ids demo-…) "
        f"and {surveys.rows} demo survey answers",
    )


def _at(day: date, days_ago: float, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(days=days_ago)


def _analyse_samples(
    config: AnalysisConfig, db: Database, transcriber: Transcriber, day: date, say: Callable[[str], None]
) -> dict[str, tuple[str, Analysis]]:
    """Analyse each sample for real; returns sample name → (agent id, analysis)."""
    plan = [(a, sample) for a, _n, _t, _l, sample, _i in DEMO_AGENTS] + list(EXTRA_SAMPLES)
    done: dict[str, tuple[str, Analysis]] = {}
    for n, (agent_id, sample) in enumerate(plan):
        say(f"analysing sample call {sample} for {agent_id} ({n + 1}/{len(plan)})")
        request = AnalysisRequest(
            path=SAMPLES_DIR / f"{sample}.flac",
            agent_id=agent_id,
            language=sample.split("_")[0],
            channel_mode="left",
            contact_id=f"DEMO-CALL-{sample}",
        )
        analysis = analyze_and_store(
            SYSTEM_USER, request, settings=config.settings, transcriber=transcriber, db=db, checklist=config.checklist
        )
        with db.transaction() as session:
            row = session.get(CallRow, analysis.call.id)
            assert row is not None
            improving = any(a == agent_id and i for a, *_, i in DEMO_AGENTS)
            row.created_at = _at(day, 175 if improving else 2 + n % 5, 9 + n)  # improvers start from their sample
        done[sample] = (agent_id, analysis)
    return done


def _derive_calls(
    db: Database, real: dict[str, tuple[str, Analysis]], day: date, config: AnalysisConfig
) -> list[tuple[str, str]]:
    """Derived real and practice calls per agent; returns (call id, agent id) of the real ones."""
    checklist = config.checklist
    rng = random.Random(11)
    made: list[tuple[str, str]] = []
    for index, (agent_id, _name, _team, language, _sample, improving) in enumerate(DEMO_AGENTS):
        good, poor = real[f"{language}_good"][1], real[f"{language}_poor"][1]
        plans = []
        for step, months_ago in enumerate(DERIVED_MONTHS_AGO):
            if improving:
                base, drop_p, fix_p = poor, 0.0, 0.1 + 0.15 * step
            elif agent_id == "johan":
                base, drop_p, fix_p = poor, 0.0, 0.25
            else:
                base, drop_p, fix_p = good, 0.2, 0.0
            plans.append((f"demo-{agent_id}-{step + 1:02d}", base, drop_p, fix_p, months_ago * 30 + rng.randint(-8, 8)))
        practice_base = poor if improving else good
        plans.append((f"demo-{agent_id}-practice", practice_base, 0.3, 0.5, 3 + index))
        for call_id, base, drop_p, fix_p, days_ago in plans:
            transcript = vary_transcript(
                base.transcript, base.checklist, checklist, rng=rng, drop_p=drop_p, fix_p=fix_p
            )
            practice = call_id.endswith("practice")
            contact = None if practice else f"DEMO-{call_id.upper()}"
            analysis = derived_analysis(
                base, transcript, call_id=call_id, agent_id=agent_id, contact_id=contact, checklist=checklist
            )
            with db.transaction() as session:
                stored = session.get(CallRow, base.call.id)
                assert stored is not None
                save_analysis(
                    session,
                    analysis,
                    audio_path=stored.audio_path,
                    call_type="practice" if practice else "real",
                    is_private=practice,
                    now=_at(day, days_ago, 8 + rng.randint(0, 7)),
                )
            if practice:
                record_attempt(db, call_id=call_id, agent_id=agent_id, scenario_id=PRACTICE_SCENARIOS[index])
                if improving:
                    share_practice_call(demo_user(agent_id, db), db, call_id, shared=True)
            else:
                made.append((call_id, agent_id))
    return made


def _feedback(db: Database, derived: list[tuple[str, str]]) -> None:
    """Coach comments at evidence moments, confirmations and overrides, agent acknowledgements and disputes."""
    coaches = {"team-north": demo_user("coach-north", db), "team-south": demo_user("coach-south", db)}
    team_of = {a: t for a, _n, t, *_ in DEMO_AGENTS}
    for n, (call_id, agent_id) in enumerate(derived[::2]):
        coach, agent = coaches[team_of[agent_id]], demo_user(agent_id, db)
        with db.transaction() as session:
            items = current_checklist(session, call_id).items
        failed = [i for i in items if i.passed is False]
        passed = [i for i in items if i.passed is True]
        for item in failed[:1]:
            at = item.evidence[0].start_s if item.evidence else 0.0
            add_comment(coach, db, call_id, text=f"Listen here: {item.label.lower()}. Try the line below.", at_s=at)
        for item in passed[:1]:
            at = item.evidence[0].start_s if item.evidence else 0.0
            add_comment(coach, db, call_id, text="Good moment: calm and clear.", at_s=at)
            override_item(coach, db, call_id, item.id, passed=True, reason="")  # confirmed
        if n % 3 == 0 and failed:
            override_item(coach, db, call_id, failed[-1].id, passed=True, reason="Said in other words; it counts.")
        if passed:
            respond_to_item(agent, db, call_id, passed[-1].id, agrees=True)
        if n % 4 == 1 and failed:
            respond_to_item(agent, db, call_id, failed[0].id, agrees=False, reason="I explained it in my own words.")
        elif failed:
            respond_to_item(agent, db, call_id, failed[0].id, agrees=True)


def _sessions(db: Database, day: date) -> None:
    """Two past coaching sessions for each improving agent (agenda from the calls before each), and ratings."""
    now = datetime.now(UTC)
    for agent_id, _name, team, _lang, _sample, improving in DEMO_AGENTS:
        coach_id = "coach-north" if team == "team-north" else "coach-south"
        with db.transaction() as session:
            results = load_results(session, agent_ids=[agent_id])
            for months_ago in (70, 35) if improving else (40,):
                held = day - timedelta(days=months_ago)
                cutoff = _at(held, 0, 23)
                before = results.calls[results.calls["created_at"] <= cutoff]
                subset = type(results)(before, results.items[results.items["call_id"].isin(before["call_id"])])
                agenda = [p.agenda_entry() for p in find_patterns(subset, min_repeats=1)][:4]
                row = CoachingSessionRow(
                    agent_id=agent_id,
                    coach_id=coach_id,
                    held_on=held,
                    agenda=stored_agenda(agenda),
                    created_at=now,
                    notes="Listened to two calls together. Agreed to practise the items below (demo).",
                )
                session.add(row)
                session.flush()
                for entry in agenda[:2]:
                    session.add(
                        ActionItemRow(
                            session_id=row.id,
                            text=f"Practise: {entry.label}",
                            item_id=entry.key.split(":")[-1],
                            due_on=held + timedelta(days=14),
                            done_at=now if months_ago > 60 else None,
                            created_by=coach_id,
                            created_at=now,
                        )
                    )
            for competence, level in (
                ("payment plans", 3 if not improving else 2),
                ("energy bills", 2),
                ("cognitive", 3),
            ):
                session.add(
                    CoachRatingRow(
                        agent_id=agent_id,
                        competence=competence,
                        level=level,
                        note="demo rating",
                        rated_by=coach_id,
                        rated_at=_at(day, 45),
                    )
                )
