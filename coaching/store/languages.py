"""Language defaults of teams and agents, and how each stored call's language was chosen (migration 0006)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from coaching.models import LANGUAGE_FLAGS, LANGUAGE_SOURCES, ChannelLanguage, LanguageCheck
from coaching.store.tables import AgentRow, CallRow, TeamRow


@dataclass(frozen=True)
class LanguageDefaults:
    """An agent's own default language and their team's (None: not set)."""

    agent_id: str
    team_id: str | None
    agent_language: str | None
    team_language: str | None


def language_defaults(session: Session, agent_id: str) -> LanguageDefaults:
    """The defaults that apply to ``agent_id`` (none for an agent not stored yet)."""
    row = session.execute(
        select(AgentRow.team_id, AgentRow.default_language, TeamRow.default_language.label("team_language"))
        .outerjoin(TeamRow, TeamRow.id == AgentRow.team_id)
        .where(AgentRow.id == agent_id)
    ).first()
    if row is None:
        return LanguageDefaults(agent_id, None, None, None)
    return LanguageDefaults(agent_id, row.team_id, row.default_language, row.team_language)


def set_call_language(row: CallRow, check: LanguageCheck | None) -> None:
    """Write ``check`` onto the call row (None clears it: the call's language was not recorded)."""
    row.language_probability = check.probability if check else None
    row.language_source = check.source if check else None
    row.language_flags = ",".join(check.flags) if check else ""
    row.language_channels = (
        [{"speaker": c.speaker, "language": c.language, "probability": c.probability} for c in check.channels]
        if check and check.channels
        else None
    )


def call_language(row: CallRow) -> LanguageCheck | None:
    """The stored :class:`LanguageCheck` of a call; None for calls stored before it was recorded."""
    source = row.language_source
    if source not in LANGUAGE_SOURCES:
        return None
    return LanguageCheck(
        language=row.language,
        source=source,
        probability=row.language_probability,
        channels=tuple(
            ChannelLanguage(c["speaker"], c["language"], float(c["probability"])) for c in row.language_channels or ()
        ),
        flags=tuple(f for f in (row.language_flags or "").split(",") if f in LANGUAGE_FLAGS),
    )
