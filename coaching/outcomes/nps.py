"""NPS, first-contact resolution and behaviour-vs-outcome figures: pure functions over DataFrames.

NPS = % promoters (9–10) − % detractors (0–6), in points from −100 to 100. Its interval uses
var(NPS) = (pP + pD − (pP − pD)²) / n (normal approximation, clipped to ±100); FCR uses a Wilson
interval. Every figure carries its n; groups with n below ``min_n`` are marked ``reliable=False``, never hidden.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from coaching.errors import SettingsError
from coaching.jsonable import JsonObject

Period = Literal["week", "month"]
Level = Literal["agent", "team", "organisation"]
PERIODS: tuple[Period, ...] = ("week", "month")
LEVELS: tuple[Level, ...] = ("agent", "team", "organisation")
Z_95 = 1.959963984540054
NPS_COLUMNS = (
    "agent",
    "team",
    "period",
    "n",
    "promoters",
    "passives",
    "detractors",
    "nps",
    "ci_low",
    "ci_high",
    "reliable",
)
FCR_COLUMNS = ("agent", "team", "period", "n", "resolved", "fcr", "ci_low", "ci_high", "unknown", "reliable")


@dataclass(frozen=True)
class NpsFigure:
    """NPS of one group; ``nps`` and the interval are None when n is 0."""

    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    ci_low: float | None
    ci_high: float | None
    reliable: bool


def score_class(score: int) -> str:
    """``promoter`` (9–10), ``passive`` (7–8) or ``detractor`` (0–6)."""
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


def nps_figure(*, scores: Iterable[int], min_n: int, z: float = Z_95) -> NpsFigure:
    """NPS with counts and a normal-approximation interval (points, clipped to [−100, 100])."""
    values = [int(s) for s in scores]
    n = len(values)
    promoters = sum(1 for s in values if s >= 9)
    detractors = sum(1 for s in values if s <= 6)
    if n == 0:
        return NpsFigure(0, 0, 0, 0, None, None, None, False)
    p_promoter, p_detractor = promoters / n, detractors / n
    nps = p_promoter - p_detractor
    half = z * math.sqrt(max(p_promoter + p_detractor - nps**2, 0.0) / n)
    return NpsFigure(
        n=n,
        promoters=promoters,
        passives=n - promoters - detractors,
        detractors=detractors,
        nps=100.0 * nps,
        ci_low=100.0 * max(nps - half, -1.0),
        ci_high=100.0 * min(nps + half, 1.0),
        reliable=n >= min_n,
    )


def wilson_interval_pct(*, successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a proportion, in percent."""
    p = successes / n
    denominator = 1.0 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    return 100.0 * max(centre - half, 0.0), 100.0 * min(centre + half, 1.0)


def check_period(by: str) -> Period:
    """``by`` as a :data:`Period`; raise :class:`SettingsError` when it is not week or month."""
    if by not in PERIODS:
        raise SettingsError(f"by={by!r} must be week or month")
    return cast(Period, by)


def check_level(level: str) -> Level:
    """``level`` as a :data:`Level`; raise :class:`SettingsError` when it is not one of :data:`LEVELS`."""
    if level not in LEVELS:
        raise SettingsError(f"level={level!r} must be one of {', '.join(LEVELS)}")
    return cast(Level, level)


def period_labels(stamps: pd.Series, *, by: str) -> pd.Series:
    """``2026-11`` for months, ``2026-W47`` (ISO week year and week) for weeks, of timestamps (naive ones are
    UTC): the one period rule of NPS / FCR tables and progress views."""
    stamps = pd.to_datetime(stamps, utc=True)
    if check_period(by) == "month":
        return stamps.dt.strftime("%Y-%m")
    iso = stamps.dt.isocalendar()
    return iso["year"].astype(str) + "-W" + iso["week"].astype(int).map("{:02d}".format)


def _grouped(
    *, frame: pd.DataFrame, by: Period, level: Level, columns: tuple[str, ...]
) -> Iterable[tuple[str | None, str | None, str, list[list[Any]]]]:
    """Yield (agent, team, period, values of ``columns`` in answer order) per group, in group order; agent rows
    carry the agent's latest team in the period. One grouping of the whole frame, no frame per group."""
    check_level(level)
    work = frame.assign(period=period_labels(frame["answered_at"], by=by))
    work = work.sort_values("answered_at", kind="stable")
    agent_key = work["agent"].astype(object).where(work["agent"].notna(), "") if level == "agent" else ""
    team_key = work["team"].astype(object).where(work["team"].notna(), "") if level == "team" else ""
    work = work.assign(_agent=agent_key, _team=team_key)
    grouped = work.groupby(["_agent", "_team", "period"], sort=True)
    numbers = grouped.ngroup().to_numpy()
    in_groups = numbers.argsort(kind="stable")  # row positions group after group, in answer order within each
    ends = np.cumsum(np.bincount(numbers))
    teams = work["team"].to_numpy(dtype=object)
    values = [work[c].to_numpy(dtype=object) for c in columns]
    for number, (agent, team, period) in enumerate(grouped.size().index):
        rows = in_groups[(ends[number - 1] if number else 0) : ends[number]]
        found = [list(v[rows]) for v in values]
        if level == "agent":
            known = [t for t in teams[rows] if isinstance(t, str) or not pd.isna(t)]
            yield str(agent), (str(known[-1]) if known else None), str(period), found
        else:
            yield None, (str(team) or None) if level == "team" else None, str(period), found


def nps_by_period(*, surveys: pd.DataFrame, by: Period, level: Level, min_n: int) -> pd.DataFrame:
    """NPS per agent / team / organisation and week or month; columns :data:`NPS_COLUMNS`.

    ``surveys`` needs ``agent``, ``team``, ``answered_at`` and ``score``.
    """
    rows = []
    if len(surveys):
        for agent, team, period, (scores,) in _grouped(frame=surveys, by=by, level=level, columns=("score",)):
            figure = nps_figure(scores=scores, min_n=min_n)
            rows.append({"agent": agent, "team": team, "period": period, **_figure_dict(figure)})
    return _frame(rows, NPS_COLUMNS)


def json_records(table: pd.DataFrame) -> list[JsonObject]:
    """Plain JSON-ready dicts of a table: NaN → None, numpy scalars → Python, floats rounded to 0.1."""
    return [{str(k): _plain(v) for k, v in record.items()} for record in table.astype(object).to_dict("records")]


def _plain(value: object) -> object:
    plain = value.item() if hasattr(value, "item") else value
    if isinstance(plain, float):
        return None if plain != plain else round(plain, 1)
    return plain


def _frame(rows: list[JsonObject], columns: Iterable[str]) -> pd.DataFrame:
    """A table whose ``agent``/``team`` stay None (not NaN) where missing; missing numbers are NaN."""
    frame = pd.DataFrame(rows, columns=list(columns))
    for key in ("agent", "team"):
        frame[key] = pd.Series([r[key] for r in rows], index=frame.index, dtype=object)
    return frame


def _figure_dict(figure: NpsFigure) -> JsonObject:
    return {k: getattr(figure, k) for k in NPS_COLUMNS[3:]}


def first_contact_resolved(
    *, contacts: pd.DataFrame, window_days: float, as_of: pd.Timestamp | None = None
) -> pd.Series:
    """True/False/None per contact: the ``resolved`` flag when given, else whether the same
    ``customer_id`` stayed away for ``window_days`` after it.

    None (unknown) when there is neither a flag nor a customer id, or when the window has not closed by
    ``as_of`` (default: the newest contact) and no repeat has come yet. Only contacts in ``contacts`` count
    as repeats (a survey export holds answered contacts only).
    """
    stamps = pd.to_datetime(contacts["answered_at"], utc=True)
    window = pd.Timedelta(days=window_days)
    end = stamps.max() if as_of is None else pd.Timestamp(as_of)
    result = pd.Series([None] * len(contacts), index=contacts.index, dtype=object)
    customers = contacts["customer_id"] if "customer_id" in contacts else pd.Series(None, index=contacts.index)
    known = customers.notna()
    ordered = pd.DataFrame({"customer": customers[known], "at": stamps[known]}).sort_values(["customer", "at"])
    next_at = ordered.groupby("customer")["at"].shift(-1)
    repeat = (next_at - ordered["at"]) <= window
    pending = next_at.isna() & (ordered["at"] + window > end)
    result[ordered.index] = [None if p else not r for r, p in zip(repeat, pending, strict=True)]
    if "resolved" in contacts:
        flags = contacts["resolved"]
        given = flags.notna()
        result[given] = flags[given].map(bool)
    return result


def fcr_by_period(
    *,
    contacts: pd.DataFrame,
    by: Period,
    level: Level,
    window_days: float,
    min_n: int,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """First-contact resolution per group and period (percent of contacts with a known outcome)."""
    rows = []
    if len(contacts):
        resolved = first_contact_resolved(contacts=contacts, window_days=window_days, as_of=as_of)
        frame = contacts.assign(_fcr=resolved)
        for agent, team, period, (flags,) in _grouped(frame=frame, by=by, level=level, columns=("_fcr",)):
            outcomes = [v for v in flags if v is not None]
            n, hits = len(outcomes), sum(1 for v in outcomes if v)
            low, high = wilson_interval_pct(successes=hits, n=n) if n else (None, None)
            rows.append(
                {
                    "agent": agent,
                    "team": team,
                    "period": period,
                    "n": n,
                    "resolved": hits,
                    "fcr": 100.0 * hits / n if n else None,
                    "ci_low": low,
                    "ci_high": high,
                    "unknown": len(flags) - n,
                    "reliable": n >= min_n,
                }
            )
    return _frame(rows, FCR_COLUMNS)


def behaviour_vs_outcome(*, linked: pd.DataFrame, min_n: int, z: float = Z_95) -> pd.DataFrame:
    """Per checklist item: NPS of linked contacts where it passed vs failed, the difference, and a plain note.

    ``linked`` has one row per (contact, item): ``item``, ``passed`` (bool), ``score``. The difference
    interval treats the two groups as independent. Items keep their first-seen order.
    """
    rows = []
    for item in dict.fromkeys(linked["item"]) if len(linked) else ():
        of_item = linked[linked["item"] == item]
        passed = nps_figure(scores=of_item.loc[of_item["passed"].astype(bool), "score"], min_n=min_n, z=z)
        failed = nps_figure(scores=of_item.loc[~of_item["passed"].astype(bool), "score"], min_n=min_n, z=z)
        diff = low = high = None
        if passed.nps is not None and failed.nps is not None:
            diff = passed.nps - failed.nps
            half = z * math.sqrt(_variance_pts(passed) + _variance_pts(failed))
            low, high = diff - half, diff + half
        enough = passed.n >= min_n and failed.n >= min_n
        rows.append(
            {
                "item": str(item),
                "n_passed": passed.n,
                "nps_passed": passed.nps,
                "passed_ci_low": passed.ci_low,
                "passed_ci_high": passed.ci_high,
                "n_failed": failed.n,
                "nps_failed": failed.nps,
                "failed_ci_low": failed.ci_low,
                "failed_ci_high": failed.ci_high,
                "difference": diff,
                "difference_ci_low": low,
                "difference_ci_high": high,
                "enough_data": enough,
                "note": _behaviour_note(
                    passed=passed, failed=failed, diff=diff, low=low, high=high, enough=enough, min_n=min_n
                ),
            }
        )
    return pd.DataFrame(rows)


def _variance_pts(figure: NpsFigure) -> float:
    p_promoter, p_detractor = figure.promoters / figure.n, figure.detractors / figure.n
    return 1e4 * max(p_promoter + p_detractor - (p_promoter - p_detractor) ** 2, 0.0) / figure.n


def _behaviour_note(
    *,
    passed: NpsFigure,
    failed: NpsFigure,
    diff: float | None,
    low: float | None,
    high: float | None,
    enough: bool,
    min_n: int,
) -> str:
    if not enough or diff is None or low is None or high is None:
        return (
            f"too little data to tell: {passed.n} linked contacts passed and {failed.n} failed; "
            f"at least {min_n} of each are needed"
        )
    span = f"95% interval {low:+.0f} to {high:+.0f}"
    if low <= 0 <= high:
        return f"no clear difference: passed minus failed is {diff:+.0f} NPS points ({span})"
    direction = "higher" if diff > 0 else "lower"
    return f"NPS is {abs(diff):.0f} points {direction} when it passed ({span}); this shows association, not cause"
