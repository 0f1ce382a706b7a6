"""The figures stored beside each analysis's metrics JSON (coaching.store.figures) against hand-read values."""

from __future__ import annotations

from coaching.store.figures import FIGURES, call_figures


def test_figures_are_read_from_the_parts_of_the_metrics_json() -> None:
    metrics = {
        "talk_ratio_agent": 0.62,
        "speakers": {
            "agent": {"words_per_minute": 151.0, "articulation_rate_sps": None, "syllables_per_second": 4.2},
            "customer": {"articulation_rate_sps": 5.1, "syllables_per_second": 3.0},
        },
        "silences": [{"flagged": True}, {"flagged": False}, {}, {"flagged": True}],
        "interruptions": {"count": 3},
        "overtalk": {"share_of_talk": 0.04},
        "norms": {
            "agent_wpm": {"label": "Agent words per minute", "status": "above"},
            "reply_delay": {"status": "below"},  # no label: the key
            "longest_silence": {"label": "Longest silence", "status": "ok"},
        },
    }
    assert call_figures(metrics) == {
        "talk_ratio_agent": 0.62,
        "agent_wpm": 151.0,
        "agent_sps": 4.2,  # no articulation rate: syllables per second
        "customer_sps": 5.1,
        "flagged_silences": 2,
        "interruptions": 3,
        "overtalk_share": 0.04,
        "out_of_norm": ["Agent words per minute", "reply_delay"],
    }


def test_missing_parts_give_empty_figures() -> None:
    empty = call_figures({"speakers": {"agent": None}, "interruptions": None, "norms": None})
    assert set(empty) == set(FIGURES)
    assert empty["flagged_silences"] == 0 and empty["out_of_norm"] == []
    assert all(empty[k] is None for k in FIGURES if k not in ("flagged_silences", "out_of_norm"))
