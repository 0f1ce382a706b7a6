"""NPS, its interval, periods, FCR and behaviour-vs-outcome against hand-computed figures."""

from __future__ import annotations

import pandas as pd
import pytest

from coaching.outcomes.nps import (
    behaviour_vs_outcome,
    fcr_by_period,
    first_contact_resolved,
    nps_by_period,
    nps_figure,
    period_labels,
    score_class,
    wilson_interval_pct,
)


def test_score_classes_follow_the_definition() -> None:
    assert [score_class(s) for s in range(11)] == ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2


def test_nps_and_interval_balanced_case() -> None:
    # P=4 (10,9,9,10), passives 2 (8,7), D=4 (6,3,0,5): NPS 0; var=(.4+.4-0)/10=.08; half=1.96*sqrt(.08)=.5544
    figure = nps_figure(scores=[10, 9, 9, 8, 7, 6, 3, 0, 10, 5], min_n=30)
    assert (figure.n, figure.promoters, figure.passives, figure.detractors) == (10, 4, 2, 4)
    assert figure.nps == pytest.approx(0.0)
    assert figure.ci_low == pytest.approx(-55.437, abs=0.01)
    assert figure.ci_high == pytest.approx(55.437, abs=0.01)
    assert figure.reliable is False


def test_nps_and_interval_positive_case() -> None:
    # pP=.6, pD=.2: NPS 40; var=(.8-.16)/10=.064; half=1.96*.25298=.49583
    figure = nps_figure(scores=[10] * 6 + [8] * 2 + [2] * 2, min_n=10)
    assert figure.nps == pytest.approx(40.0)
    assert figure.ci_low == pytest.approx(-9.583, abs=0.01)
    assert figure.ci_high == pytest.approx(89.583, abs=0.01)
    assert figure.reliable is True  # n == min_n is enough


def test_interval_is_clipped_to_plus_minus_100() -> None:
    # pP=.75, pD=.25: NPS 50; var=(1-.25)/4=.1875; half=.8487 → high 134.9 clipped to 100
    figure = nps_figure(scores=[10, 10, 10, 0], min_n=30)
    assert figure.nps == pytest.approx(50.0)
    assert figure.ci_low == pytest.approx(-34.87, abs=0.01)
    assert figure.ci_high == 100.0


def test_no_answers_give_no_nps() -> None:
    figure = nps_figure(scores=[], min_n=1)
    assert (figure.n, figure.nps, figure.ci_low, figure.reliable) == (0, None, None, False)


def test_wilson_interval_of_8_of_10() -> None:
    low, high = wilson_interval_pct(successes=8, n=10)
    assert low == pytest.approx(49.02, abs=0.01)
    assert high == pytest.approx(94.33, abs=0.01)


def test_period_labels_use_iso_weeks_and_months() -> None:
    stamps = pd.Series(
        pd.to_datetime(["2026-11-16 08:00", "2026-12-31", "2027-01-03", "2027-01-04"], utc=True, format="ISO8601")
    )
    assert period_labels(stamps, by="week").tolist() == ["2026-W47", "2026-W53", "2026-W53", "2027-W01"]
    assert period_labels(stamps, by="month").tolist() == ["2026-11", "2026-12", "2027-01", "2027-01"]


def surveys_frame() -> pd.DataFrame:
    rows = [
        # agent a in team T1: November 10,9,6 → P2 D1; December 7
        ("a", "T1", "2026-11-02", 10),
        ("a", "T1", "2026-11-03", 9),
        ("a", "T1", "2026-11-20", 6),
        ("a", "T1", "2026-12-01", 7),
        # agent b in team T1: November 0, 8
        ("b", "T1", "2026-11-05", 0),
        ("b", "T1", "2026-11-06", 8),
        # agent c without a team: November 9
        ("c", None, "2026-11-07", 9),
    ]
    frame = pd.DataFrame(rows, columns=["agent", "team", "answered_at", "score"])
    return frame.assign(answered_at=pd.to_datetime(frame["answered_at"], utc=True, format="ISO8601"))


def test_nps_by_month_per_agent_team_and_organisation() -> None:
    agent = nps_by_period(surveys=surveys_frame(), by="month", level="agent", min_n=3)
    assert agent[["agent", "team", "period", "n", "promoters", "passives", "detractors"]].values.tolist() == [
        ["a", "T1", "2026-11", 3, 2, 0, 1],
        ["a", "T1", "2026-12", 1, 0, 1, 0],
        ["b", "T1", "2026-11", 2, 0, 1, 1],
        ["c", None, "2026-11", 1, 1, 0, 0],
    ]
    assert agent["nps"].tolist() == pytest.approx([100 / 3, 0.0, -50.0, 100.0])
    assert agent["reliable"].tolist() == [True, False, False, False]  # below min_n is marked, not hidden

    team = nps_by_period(surveys=surveys_frame(), by="month", level="team", min_n=3)
    # T1 November: 10,9,6,0,8 → P2 D2 → 0; no team: 9 → 100
    assert team[["agent", "team", "period", "n", "nps"]].values.tolist() == [
        [None, None, "2026-11", 1, 100.0],
        [None, "T1", "2026-11", 5, 0.0],
        [None, "T1", "2026-12", 1, 0.0],
    ]
    organisation = nps_by_period(surveys=surveys_frame(), by="month", level="organisation", min_n=3)
    # November: 10,9,6,0,8,9 → P3 D2 of 6 → 16.67
    assert organisation[["agent", "team", "period", "n", "promoters", "detractors"]].values.tolist() == [
        [None, None, "2026-11", 6, 3, 2],
        [None, None, "2026-12", 1, 0, 0],
    ]
    assert organisation["nps"].tolist() == pytest.approx([100 / 6, 0.0])


def test_nps_by_week() -> None:
    table = nps_by_period(surveys=surveys_frame(), by="week", level="organisation", min_n=30)
    # W45: Nov 2–7 (10,9,0,8,9) → P3 D1 → 40; W47: Nov 20 (6); W49: Dec 1 (7)
    assert table[["period", "n", "nps"]].values.tolist() == [
        ["2026-W45", 5, 40.0],
        ["2026-W47", 1, -100.0],
        ["2026-W49", 1, 0.0],
    ]


def test_nps_of_no_surveys_is_an_empty_table_with_the_columns() -> None:
    empty = surveys_frame().iloc[0:0]
    table = nps_by_period(surveys=empty, by="month", level="agent", min_n=30)
    assert table.empty
    assert list(table.columns)[:4] == ["agent", "team", "period", "n"]


def contacts_frame() -> pd.DataFrame:
    rows = [
        ("A1", "a", "X", "2026-11-02 10:00", None),  # X again exactly 7 days later → not resolved
        ("A2", "a", "X", "2026-11-09 10:00", None),  # next X is 11 days later → resolved
        ("A3", "a", "X", "2026-11-20 10:00", None),  # window closed by Nov 30, no repeat → resolved
        ("A4", "a", "Y", "2026-11-03 10:00", None),  # no repeat → resolved
        ("A5", "a", "Z", "2026-11-25 10:00", None),  # window still open on Nov 30 → unknown
        ("A6", "b", None, "2026-11-03 10:00", None),  # no customer, no flag → unknown
        ("A7", "b", "W", "2026-11-04 10:00", False),  # flag says no, despite no repeat
        ("A9", "b", "V", "2026-11-10 10:00", True),  # flag says yes, despite a repeat next day
        ("A10", "b", "V", "2026-11-11 10:00", None),  # no later V → resolved
    ]
    frame = pd.DataFrame(rows, columns=["contact_id", "agent", "customer_id", "answered_at", "resolved"], dtype=object)
    return frame.assign(answered_at=pd.to_datetime(frame["answered_at"], utc=True, format="ISO8601"), team="T1")


AS_OF = pd.Timestamp("2026-11-30", tz="UTC")


def test_first_contact_resolution_per_contact() -> None:
    flags = first_contact_resolved(contacts=contacts_frame(), window_days=7, as_of=AS_OF)
    assert flags.tolist() == [False, True, True, True, None, None, False, True, True]


def test_shorter_window_turns_a_7_day_repeat_into_a_resolution() -> None:
    flags = first_contact_resolved(contacts=contacts_frame(), window_days=6, as_of=AS_OF)
    assert flags.tolist()[0] is True


def test_fcr_by_month_per_agent_with_n_and_unknown() -> None:
    table = fcr_by_period(contacts=contacts_frame(), by="month", level="agent", window_days=7, min_n=4, as_of=AS_OF)
    # a: A1 F, A2 T, A3 T, A4 T, A5 unknown → 3/4; b: A6 unknown, A7 F, A9 T, A10 T → 2/3
    assert table[["agent", "period", "n", "resolved", "unknown", "reliable"]].values.tolist() == [
        ["a", "2026-11", 4, 3, 1, True],
        ["b", "2026-11", 3, 2, 1, False],
    ]
    assert table["fcr"].tolist() == pytest.approx([75.0, 200 / 3])
    low, high = wilson_interval_pct(successes=3, n=4)
    assert (table.loc[0, "ci_low"], table.loc[0, "ci_high"]) == pytest.approx((low, high))


def behaviour_frame(passed_scores: list[int], failed_scores: list[int], item: str = "acknowledge") -> pd.DataFrame:
    rows = [(item, True, s) for s in passed_scores] + [(item, False, s) for s in failed_scores]
    return pd.DataFrame(rows, columns=["item", "passed", "score"])


def test_behaviour_vs_outcome_small_sample_says_too_little_data() -> None:
    # passed 10,10,9,8 → NPS 75; failed 3,9,6 → P1 D2 → −33.3
    table = behaviour_vs_outcome(linked=behaviour_frame([10, 10, 9, 8], [3, 9, 6]), min_n=30)
    row = table.iloc[0]
    assert (row["item"], row["n_passed"], row["n_failed"]) == ("acknowledge", 4, 3)
    assert row["nps_passed"] == pytest.approx(75.0)
    assert row["nps_failed"] == pytest.approx(-100 / 3)
    assert row["difference"] == pytest.approx(75.0 + 100 / 3)
    assert not row["enough_data"]
    assert row["note"].startswith("too little data to tell: 4 linked contacts passed and 3 failed")


def test_behaviour_vs_outcome_with_enough_data_gives_difference_and_interval() -> None:
    # passed: 20×10, 10×7 → 66.7; failed: 10×10, 20×0 → −33.3; diff 100;
    # var_p=(2/3-(2/3)²)/30 → 74.07 pts², var_f=(1-(1/3)²)/30 → 296.3 pts²; half=1.96*sqrt(370.37)=37.72
    table = behaviour_vs_outcome(linked=behaviour_frame([10] * 20 + [7] * 10, [10] * 10 + [0] * 20), min_n=30)
    row = table.iloc[0]
    assert row["difference"] == pytest.approx(100.0)
    assert row["difference_ci_low"] == pytest.approx(62.28, abs=0.02)
    assert row["difference_ci_high"] == pytest.approx(137.72, abs=0.02)
    assert row["enough_data"]
    assert row["note"] == (
        "NPS is 100 points higher when it passed (95% interval +62 to +138); this shows association, not cause"
    )


def test_behaviour_vs_outcome_no_clear_difference_and_missing_group() -> None:
    same = behaviour_frame([10] * 15 + [0] * 15, [10] * 16 + [0] * 14, item="greeting")
    only_passed = behaviour_frame([9, 9], [], item="closing")
    table = behaviour_vs_outcome(linked=pd.concat([same, only_passed]), min_n=30)
    assert table["item"].tolist() == ["greeting", "closing"]
    assert table.loc[0, "note"].startswith("no clear difference: passed minus failed is -7 NPS points")
    assert pd.isna(table.loc[1, "nps_failed"])
    assert pd.isna(table.loc[1, "difference"])
    assert table.loc[1, "note"].startswith("too little data to tell: 2 linked contacts passed and 0 failed")
