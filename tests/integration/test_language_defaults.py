"""A call's language through the whole path: forced beats the agent's default, which beats the team's; detection
only when none is set, its probability stored; a doubtful detection (low probability, channels that disagree)
is flagged in the store and the JSON, and the call can be analysed again with the language forced, keeping its id.
Transcription is the samples' ground truth (no speech model); only the detection is scripted."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jsonschema
import numpy as np
import pytest
from sqlalchemy import select

from audio_samples.truth import audio_path
from coaching.access import User
from coaching.analysis.pipeline import AnalysisRequest
from coaching.analysis.report import analysis_json_schema, analysis_to_dict
from coaching.asr.transcriber import AsrSegment
from coaching.audio.decode import decode_audio
from coaching.errors import AccessError, ConflictError, InputError
from coaching.services.calls import analyze_and_store, get_analysis
from coaching.services.config import with_language_default
from coaching.services.corrections import edit_segment
from coaching.services.languages import language_defaults_of, set_agent_language, set_team_language
from coaching.services.reanalysis import reanalyse_call
from coaching.settings import Settings
from coaching.store.audit import AuditRow
from coaching.store.db import Database
from coaching.store.tables import CallRow
from tests.app_helpers import TruthTranscriber

pytest_plugins = ("tests.app_helpers",)
People = Callable[[str], User]
SAMPLE = "en_short"


class ScriptedDetection(TruthTranscriber):
    """Ground-truth words; the detection of each channel (told apart by comparing with the file's channels)
    is scripted: ``by_channel[0]`` for the left (agent) channel, ``[1]`` for the right."""

    def __init__(self, sample: str, by_channel: Sequence[tuple[str, float]]) -> None:
        super().__init__(sample)
        audio = decode_audio(audio_path(sample), max_file_bytes=10**9, max_duration_s=10**4)
        self.channels = [audio.channel(i) for i in range(audio.n_channels)]
        self.by_channel = list(by_channel)
        self.detected = 0
        self.transcribed_in: set[str] = set()

    def detect_language(self, *, samples: np.ndarray, allowed: Sequence[str]) -> tuple[str, float]:
        self.detected += 1
        index = int(np.argmin([np.abs(samples[: len(c)] - c[: len(samples)]).mean() for c in self.channels]))
        return self.by_channel[index]

    def transcribe(self, *, samples: np.ndarray, language: str) -> tuple[AsrSegment, ...]:
        self.transcribed_in.add(language)
        return super().transcribe(samples=samples, language=language)


def _analyse(
    who: User, db: Database | None, settings: Settings, model: ScriptedDetection, *, language: str | None = None
) -> dict:
    request = AnalysisRequest(path=audio_path(SAMPLE), agent_id="emma", language=language)
    analysis = analyze_and_store(who, request, settings=settings, transcriber=model, db=db)
    data = analysis_to_dict(analysis)
    jsonschema.validate(data, analysis_json_schema())
    return data["call"]


def test_forced_beats_agent_default_beats_team_default_beats_detection(
    app_db: Database, app_settings: Settings, people: People
) -> None:
    manager = people("manager")
    confident = [("en", 0.99), ("en", 0.99)]
    detected = ScriptedDetection(SAMPLE, confident)
    call = _analyse(manager, app_db, app_settings, detected)
    assert call["language_source"] == "detected" and call["language_probability"] == 0.99 and detected.detected > 0
    assert call["language_flagged"] is False

    set_team_language(manager, app_db, "team-south", "sv")
    team = ScriptedDetection(SAMPLE, confident)
    call = _analyse(manager, app_db, app_settings, team)
    assert (call["language"], call["language_source"], team.detected) == ("sv", "team_default", 0)
    assert team.transcribed_in == {"sv"} and call["language_probability"] is None

    set_agent_language(people("coach-south"), app_db, "emma", "fi")
    agent = ScriptedDetection(SAMPLE, confident)
    call = _analyse(manager, app_db, app_settings, agent)
    assert (call["language"], call["language_source"], agent.detected) == ("fi", "agent_default", 0)

    forced = ScriptedDetection(SAMPLE, confident)
    call = _analyse(manager, app_db, app_settings, forced, language="en")
    assert (call["language"], call["language_source"], forced.detected) == ("en", "forced", 0)

    set_agent_language(manager, app_db, "emma", None)  # cleared: the team's default applies again
    request = with_language_default(AnalysisRequest(path=audio_path(SAMPLE), agent_id="emma"), app_db)
    assert (request.language, request.language_source) == ("sv", "team_default")
    assert with_language_default(request, None) == request  # decided once, for every entry point
    nothing = with_language_default(AnalysisRequest(path=audio_path(SAMPLE), agent_id="emma"), None)
    assert (nothing.language, nothing.language_source) == (None, "detected")


def test_who_may_set_defaults(app_db: Database, people: People) -> None:
    with pytest.raises(AccessError):
        set_team_language(people("coach-north"), app_db, "team-north", "fi")  # teams: managers
    with pytest.raises(AccessError):
        set_team_language(people("admin"), app_db, "team-north", "fi")
    with pytest.raises(AccessError):
        set_agent_language(people("coach-north"), app_db, "emma", "en")  # emma is in team-south
    with pytest.raises(AccessError):
        set_agent_language(people("aino"), app_db, "aino", "fi")  # agents do not choose
    with pytest.raises(InputError):
        set_agent_language(people("coach-north"), app_db, "aino", "de")
    assert set_agent_language(people("coach-north"), app_db, "aino", "FI") == "fi"
    listed = {(d.kind, d.id): d.language for d in language_defaults_of(people("coach-north"), app_db)}
    assert listed[("agent", "aino")] == "fi" and ("agent", "emma") not in listed
    assert not any(kind == "team" for kind, _ in listed)
    with app_db.transaction() as session:
        details = session.scalars(select(AuditRow.detail).where(AuditRow.object_id == "aino")).all()
    assert "default language fi" in details


def test_a_low_probability_detection_is_flagged_stored_and_analysed_again(
    app_db: Database, app_settings: Settings, people: People
) -> None:
    manager = people("manager")
    doubtful = ScriptedDetection(SAMPLE, [("en", 0.60), ("en", 0.60)])  # the Swedish call as English
    call = _analyse(manager, app_db, app_settings, doubtful)
    assert call["language_flagged"] is True and call["language_flags"] == ["low_probability"]
    assert call["language_probability"] == 0.6
    stored = get_analysis(manager, call["id"], db=app_db).transcript.language_check
    assert stored is not None and stored.flags == ("low_probability",) and stored.probability == 0.6

    with pytest.raises(AccessError):
        reanalyse_call(people("emma"), app_db, call["id"], language="sv", settings=app_settings, transcriber=doubtful)
    again = ScriptedDetection(SAMPLE, [("en", 0.60), ("en", 0.60)])
    analysis = reanalyse_call(manager, app_db, call["id"], language="sv", settings=app_settings, transcriber=again)
    assert analysis.call.id == call["id"] and again.detected == 0 and again.transcribed_in == {"sv"}
    reread = get_analysis(manager, call["id"], db=app_db)
    check = reread.transcript.language_check
    assert reread.call.language == "sv" and check is not None and (check.source, check.flags) == ("forced", ())
    with app_db.transaction() as session:
        assert session.scalar(select(CallRow.language).where(CallRow.id == call["id"])) == "sv"
        actions = session.scalars(select(AuditRow.action).where(AuditRow.object_id == call["id"])).all()
    assert "reanalyze" in actions

    coach = people("coach-south")
    edit_segment(coach, app_db, call["id"], position=0, text="Hello there.", settings=app_settings)
    with pytest.raises(ConflictError):  # corrections would be lost
        reanalyse_call(coach, app_db, call["id"], language="en", settings=app_settings, transcriber=again)


def test_channels_that_disagree_are_flagged(app_db: Database, app_settings: Settings, people: People) -> None:
    split = ScriptedDetection(SAMPLE, [("en", 0.97), ("sv", 0.95)])
    call = _analyse(people("manager"), None, app_settings, split)
    assert split.detected == 2 and call["language_flags"] == ["channels_disagree"]
    heard = {c["speaker"]: c["language"] for c in call["language_channels"]}
    assert heard == {"agent": "en", "customer": "sv"}
    assert call["language"] == "en"  # the agent channel has more speech
