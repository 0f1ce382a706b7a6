"""NPS and FCR tables counted for all groups at once equal each group's figures computed from its own rows."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from coaching.outcomes.nps import (
    Level,
    Period,
    fcr_by_period,
    first_contact_resolved,
    json_frame,
    json_records,
    nps_by_period,
    nps_figure,
    period_labels,
    wilson_interval_pct,
)


def _answers(seed: int, n: int = 400) -> pd.DataFrame:
    """Answers of agents that change team, some without agent or team, customers who call again."""
    rng = random.Random(seed)
    start = pd.Timestamp("2026-01-01", tz="UTC")
    rows = []
    for k in range(n):
        agent = rng.choice(["a1", "a2", "a3", "a4", None])
        team = rng.choice(["t1", "t2", None]) if agent != "a1" else rng.choice(["t1", "t2"])
        rows.append(
            {
                "contact_id": f"c{k}",
                "agent": agent,
                "team": team,
                "answered_at": start + pd.Timedelta(hours=rng.randint(0, 24 * 120)),
                "score": rng.randint(0, 10),
                "customer_id": rng.choice([f"u{rng.randint(0, 60)}", None]),
                "resolved": rng.choice([True, False, None, None, None]),
            }
        )
    return pd.DataFrame(rows)


def _group_rows(answers: pd.DataFrame, by: Period, level: Level) -> list[tuple[str | None, str | None, str, list[int]]]:
    """(agent, team, period, row positions) per group, each group picked out of the frame on its own."""
    period = period_labels(answers["answered_at"], by=by)
    agent = answers["agent"].fillna("") if level == "agent" else pd.Series("", index=answers.index)
    team = answers["team"].fillna("") if level == "team" else pd.Series("", index=answers.index)
    found = []
    for key in sorted(set(zip(agent, team, period, strict=True))):
        rows = answers[(agent == key[0]) & (team == key[1]) & (period == key[2])].sort_values("answered_at")
        known = [t for t in rows["team"] if isinstance(t, str)]
        shown_team = (known[-1] if known else None) if level == "agent" else (key[1] or None)
        found.append((key[0] if level == "agent" else None, shown_team, key[2], list(rows.index)))
    return found


@pytest.mark.parametrize("by", ["month", "week"])
@pytest.mark.parametrize("level", ["agent", "team", "organisation"])
def test_tables_of_all_groups_are_each_groups_own_figures(by: Period, level: Level) -> None:
    answers = _answers(seed=11)
    as_of = answers["answered_at"].max()
    flags = first_contact_resolved(contacts=answers, window_days=7, as_of=as_of)
    nps = json_records(nps_by_period(surveys=answers, by=by, level=level, min_n=5))
    fcr = json_records(fcr_by_period(contacts=answers, by=by, level=level, window_days=7, min_n=5, as_of=as_of))
    groups = _group_rows(answers, by, level)
    assert len(nps) == len(fcr) == len(groups) > 3
    for got_nps, got_fcr, (agent, team, period, rows) in zip(nps, fcr, groups, strict=True):
        figure = nps_figure(scores=answers.loc[rows, "score"], min_n=5)
        key: dict[str, object] = {"agent": agent, "team": team, "period": period}
        assert got_nps == json_records(pd.DataFrame([key | vars(figure)]))[0]
        known = [bool(v) for v in flags[rows] if v is not None]
        low, high = wilson_interval_pct(successes=sum(known), n=len(known)) if known else (None, None)
        want = key | {"n": len(known), "resolved": sum(known)}
        want |= {"fcr": 100.0 * sum(known) / len(known) if known else None, "ci_low": low, "ci_high": high}
        want |= {"unknown": len(rows) - len(known), "reliable": len(known) >= 5}
        assert got_fcr == json_records(pd.DataFrame([want]))[0]


def test_json_records_are_plain_rounded_values() -> None:
    table = pd.DataFrame({"agent": ["a", None], "n": [3, 4], "nps": [12.345, float("nan")], "ok": [True, False]})
    assert json_records(table) == [
        {"agent": "a", "n": 3, "nps": 12.3, "ok": True},
        {"agent": None, "n": 4, "nps": None, "ok": False},
    ]
    assert all(type(r["n"]) is int and type(r["ok"]) is bool for r in json_records(table))
    assert json_records(table.iloc[:0]) == []
    mixed = pd.DataFrame(
        {
            "any": pd.Series([np.float64(2.26), np.int64(5)], dtype=object),
            "small": np.array([1.25, np.nan], dtype=np.float32),
            "count": np.array([7, 8], dtype=np.uint16),
        }
    )
    assert json_records(mixed) == [{"any": 2.3, "small": 1.2, "count": 7}, {"any": 5, "small": None, "count": 8}]
    assert [type(r["any"]) for r in json_records(mixed)] == [float, int]


@pytest.mark.parametrize("level", ["agent", "team", "organisation"])
def test_a_json_frame_is_the_table_read_back_from_its_records(level: Level) -> None:
    answers = _answers(seed=3)
    as_of = answers["answered_at"].max()
    tables = [
        nps_by_period(surveys=answers, by="month", level=level, min_n=5),
        fcr_by_period(contacts=answers, by="month", level=level, window_days=7, min_n=5, as_of=as_of),
        pd.DataFrame({"agent": ["a", None], "n": [3, 4], "nps": [12.345, float("nan")], "ok": [True, False]}),
        pd.DataFrame({"agent": [None, None], "ci": [float("nan")] * 2}),
    ]
    for table in [*tables, *(t.iloc[:0] for t in tables)]:
        pd.testing.assert_frame_equal(json_frame(table), pd.DataFrame(json_records(table)))
