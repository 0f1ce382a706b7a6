"""Demo data: derived calls really change the checklist, demo users, and seeding only an empty database."""

from __future__ import annotations

import random

from audio_samples.truth import truth_transcript
from coaching.checklist import load_checklist, score_checklist
from coaching.demo.calls import add_example, drop_phrases, vary_transcript
from coaching.demo.seed import DEMO_AGENTS, DEMO_STAFF, ensure_demo_users, seed_demo
from coaching.metrics.compute import compute_metrics
from coaching.models import Transcript
from coaching.services.admin import sign_in_choices
from coaching.settings import Settings
from coaching.store.db import Database

pytest_plugins = ("tests.app_helpers",)


def _scored(transcript: Transcript) -> dict[str, bool | None]:
    result = score_checklist(transcript=transcript, metrics=compute_metrics(transcript=transcript), semantic=None)
    return {i.id: i.passed for i in result.items}


def test_dropping_the_evidence_fails_an_item_and_adding_the_example_passes_it() -> None:
    good = truth_transcript("en_good")
    result = score_checklist(transcript=good, metrics=compute_metrics(transcript=good), semantic=None)
    assert result.item("greeting").passed is True
    dropped = drop_phrases(good, load_checklist().item("greeting"))
    assert _scored(dropped)["greeting"] is False
    assert _scored(dropped)["closing"] is True  # other items keep their sentences

    poor = truth_transcript("fi_poor")
    assert _scored(poor)["greeting"] is False
    example = load_checklist().item("greeting").examples["fi"]
    fixed = add_example(poor, phase="opening", example=example)
    assert fixed.segments[0].text.startswith(example)
    assert _scored(fixed)["greeting"] is True


def test_variation_is_reproducible_and_leaves_speech_spans_alone() -> None:
    good = truth_transcript("sv_good")
    result = score_checklist(transcript=good, metrics=compute_metrics(transcript=good), semantic=None)
    one = vary_transcript(good, result, load_checklist(), rng=random.Random(5), drop_p=0.5, fix_p=0.0)
    two = vary_transcript(good, result, load_checklist(), rng=random.Random(5), drop_p=0.5, fix_p=0.0)
    assert one == two and one != good
    assert one.speech_spans == good.speech_spans
    assert sum(v is True for v in _scored(one).values()) < sum(v is True for v in _scored(good).values())


def test_demo_users_are_created_once(app_db: Database) -> None:
    ensure_demo_users(app_db)
    ensure_demo_users(app_db)
    users = sign_in_choices(app_db)
    assert len(users) == len(DEMO_AGENTS) + len(DEMO_STAFF)
    assert [u.role for u in users][:6] == ["agent"] * 6


def test_seeding_skips_a_database_that_holds_calls(app_db: Database, app_settings: Settings) -> None:
    class NoModel:
        name, languages = "none", ("en",)

        def detect_language(self, **_: object) -> tuple[str, float]:
            raise AssertionError("a database with calls must not be seeded")

        transcribe = detect_language

    report = seed_demo(settings=app_settings, db=app_db, transcriber=NoModel(), if_empty=True)  # type: ignore[arg-type]
    assert not report.seeded and report.calls == 6 and "not seeding" in report.message
