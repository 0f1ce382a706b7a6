"""Sequence rule: a hardship must be acknowledged within N turns and before payment talk."""

from __future__ import annotations

from coaching.checklist import score_checklist
from tests.unit.test_checklist_helpers import call

HARDSHIP = "Jäin työttömäksi enkä pysty maksamaan koko summaa."


def acknowledge(turns: list[tuple[str, str]], language: str = "fi") -> dict:
    result = score_checklist(transcript=call(language, turns), metrics=None, semantic=None)
    return result.item("acknowledge").to_dict()


def test_acknowledged_in_the_next_turn_passes_with_latency() -> None:
    item = acknowledge(
        [
            ("agent", "Hyvää päivää, miten voin auttaa?"),
            ("customer", HARDSHIP),
            ("agent", "Ymmärrän, kuulostaa raskaalta. Katsotaan maksusuunnitelmaa."),
        ]
    )
    assert item["passed"] is True
    assert item["latency_turns"] == 1
    # turns are 4 s long with 1 s between: customer ends at 9.5 s, agent starts at 10.5 s
    assert item["latency_s"] == 1.0
    roles = [e["role"] for e in item["evidence"]]
    assert roles == ["trigger", "match"]
    assert item["evidence"][0]["quote"] == HARDSHIP


def test_payment_talk_before_acknowledgement_fails() -> None:
    item = acknowledge(
        [
            ("customer", HARDSHIP),
            ("agent", "Summa on kuusisataa euroa ja se on maksettava."),
            ("customer", "En tiedä mitä tehdä."),
            ("agent", "Ymmärrän tilanteenne."),
        ]
    )
    assert item["passed"] is False
    assert item["latency_turns"] == 3
    assert "payment talk came before" in item["reason"]
    assert item["suggestion"].startswith(f'Asiakas sanoi: "{HARDSHIP}"')


def test_late_acknowledgement_fails_on_turn_limit() -> None:
    item = acknowledge(
        [
            ("customer", "I lost my job last month."),
            ("agent", "Right."),
            ("customer", "Yes."),
            ("agent", "Okay."),
            ("customer", "So."),
            ("agent", "I understand, that sounds hard."),
        ],
        language="en",
    )
    assert item["passed"] is False
    assert item["latency_turns"] == 5 and item["max_turns"] == 3
    assert "after 5 turns" in item["reason"]


def test_unacknowledged_hardship_fails_where_expected() -> None:
    item = acknowledge([("customer", "Jag blev sjuk i våras."), ("agent", "Beloppet är sexhundra euro.")], "sv")
    assert item["passed"] is False
    assert [e["role"] for e in item["evidence"]] == ["trigger", "expected"]
    assert "Jag förstår din situation" in item["suggestion"]


def test_no_hardship_and_no_acknowledgement_is_not_applicable() -> None:
    item = acknowledge([("customer", "I want to check my balance."), ("agent", "The balance is 300 euros.")], "en")
    assert item["passed"] is None
