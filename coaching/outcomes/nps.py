"""NPS, first-contact resolution and behaviour-vs-outcome figures: pure functions over DataFrames.

NPS = % promoters (9–10) − % detractors (0–6), in points from −100 to 100. Its interval uses
var(NPS) = (pP + pD − (pP − pD)²) / n (normal approximation, clipped to ±100); FCR uses a Wilson
interval. Every figure carries its n; groups with n below ``min_n`` are marked ``reliable=False``, never hidden.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, cast

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
    promoters = sum(1 for s in values if s >= 9)
    detractors = sum(1 for s in values if s <= 6)
    return nps_of_counts(n=len(values), promoters=promoters, detractors=detractors, min_n=min_n, z=z)


def nps_of_counts(*, n: int, promoters: int, detractors: int, min_n: int, z: float = Z_95) -> NpsFigure:
    """:func:`nps_figure` of ``n`` answers of which ``promoters`` and ``detractors``."""
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
        if stamps.isna().any() or not len(stamps):
            return stamps.dt.strftime("%Y-%m")
        months = stamps.dt.year.to_numpy() * 100 + stamps.dt.month.to_numpy()  # a few months, many answers
        label = {m: f"{m // 100:04d}-{m % 100:02d}" for m in np.unique(months).tolist()}
        return pd.Series([label[m] for m in months.tolist()], index=stamps.index)
    iso = stamps.dt.isocalendar()
    return iso["year"].astype(str) + "-W" + iso["week"].astype(int).map("{:02d}".format)


def _groups(
    *, frame: pd.DataFrame, by: Period, level: Level
) -> tuple[list[tuple[str | None, str | None, str]], np.ndarray, pd.DataFrame]:
    """The groups of ``frame`` as (agent, team, period) in group order, each row's group number, and the rows in
    answer order (the numbers' order); agent groups carry the agent's latest known team in the period. One
    grouping of the whole frame, no frame per group."""
    check_level(level)
    work = frame.assign(period=period_labels(frame["answered_at"], by=by))
    work = work.sort_values("answered_at", kind="stable")
    agent_key = work["agent"].astype(object).where(work["agent"].notna(), "") if level == "agent" else ""
    team_key = work["team"].astype(object).where(work["team"].notna(), "") if level == "team" else ""
    work = work.assign(_agent=agent_key, _team=team_key)
    grouped = work.groupby(["_agent", "_team", "period"], sort=True)
    numbers = grouped.ngroup().to_numpy()
    latest: dict[int, object] = {}
    if level == "agent":
        for number, team in zip(numbers.tolist(), work["team"].to_numpy(dtype=object).tolist(), strict=True):
            if isinstance(team, str) or not pd.isna(team):
                latest[number] = team
    groups: list[tuple[str | None, str | None, str]] = []
    for number, (agent, team, period) in enumerate(grouped.size().index):
        if level == "agent":
            groups.append((str(agent), str(latest[number]) if number in latest else None, str(period)))
        else:
            groups.append((None, (str(team) or None) if level == "team" else None, str(period)))
    return groups, numbers, work


def _counts(numbers: np.ndarray, where: np.ndarray, groups: int) -> list[int]:
    """How many rows of each group number meet ``where``."""
    return [int(c) for c in np.bincount(numbers[where], minlength=groups)] if groups else []


def nps_by_period(*, surveys: pd.DataFrame, by: Period, level: Level, min_n: int) -> pd.DataFrame:
    """NPS per agent / team / organisation and week or month; columns :data:`NPS_COLUMNS`.

    ``surveys`` needs ``agent``, ``team``, ``answered_at`` and ``score``.
    """
    if not len(surveys):
        return _frame([], NPS_COLUMNS)
    return _nps_rows(*_groups(frame=surveys, by=by, level=level), min_n=min_n)


def nps_and_fcr(
    *, contacts: pd.DataFrame, flags: pd.Series, by: Period, level: Level, min_n: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(:func:`nps_by_period`, :func:`fcr_of_flags`) of the same rows from one grouping."""
    if not len(contacts):
        return _frame([], NPS_COLUMNS), _frame([], FCR_COLUMNS)
    groups = _groups(frame=contacts.assign(_fcr=flags), by=by, level=level)
    return _nps_rows(*groups, min_n=min_n), _fcr_rows(*groups, min_n=min_n)


def _nps_rows(
    groups: list[tuple[str | None, str | None, str]], numbers: np.ndarray, work: pd.DataFrame, *, min_n: int
) -> pd.DataFrame:
    scores = np.array([int(s) for s in work["score"].to_numpy(dtype=object)], dtype=np.int64)
    n = _counts(numbers, np.ones(len(scores), dtype=bool), len(groups))
    promoters, detractors = _counts(numbers, scores >= 9, len(groups)), _counts(numbers, scores <= 6, len(groups))
    rows = []
    for number, (agent, team, period) in enumerate(groups):
        figure = nps_of_counts(n=n[number], promoters=promoters[number], detractors=detractors[number], min_n=min_n)
        rows.append({"agent": agent, "team": team, "period": period, **_figure_dict(figure)})
    return _frame(rows, NPS_COLUMNS)


def json_records(table: pd.DataFrame) -> list[JsonObject]:
    """Plain JSON-ready dicts of a table: NaN → None, numpy scalars → Python, floats rounded to 0.1."""
    if not len(table.columns):
        return [{} for _ in range(len(table))]
    names = [str(k) for k in table.columns]
    columns = [_plain_column(table.iloc[:, i]) for i in range(len(names))]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def json_frame(table: pd.DataFrame) -> pd.DataFrame:
    """``pd.DataFrame(json_records(table))`` (a table as the JSON shows it), built a column at a time."""
    if not len(table) or not len(table.columns):
        return pd.DataFrame(json_records(table))
    return pd.DataFrame({str(k): _plain_column(table.iloc[:, i]) for i, k in enumerate(table.columns)})


def _plain_column(column: pd.Series) -> list[object]:
    """:func:`_plain` of each value; numbers and truth values a whole column at once (``tolist`` gives Python
    numbers)."""
    kind = column.dtype.kind if isinstance(column.dtype, np.dtype) else ""
    if kind == "f":
        return [None if v != v else round(v, 1) for v in column.tolist()]
    if kind in ("i", "u", "b"):
        return column.tolist()
    return [_plain(v) for v in column.astype(object).tolist()]


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
    if not len(contacts):
        return _frame([], FCR_COLUMNS)
    resolved = first_contact_resolved(contacts=contacts, window_days=window_days, as_of=as_of)
    return fcr_of_flags(contacts=contacts, flags=resolved, by=by, level=level, min_n=min_n)


def fcr_of_flags(*, contacts: pd.DataFrame, flags: pd.Series, by: Period, level: Level, min_n: int) -> pd.DataFrame:
    """:func:`fcr_by_period` of contacts whose :func:`first_contact_resolved` flags are ``flags`` (same index)."""
    if not len(contacts):
        return _frame([], FCR_COLUMNS)
    return _fcr_rows(*_groups(frame=contacts.assign(_fcr=flags), by=by, level=level), min_n=min_n)


def _fcr_rows(
    groups: list[tuple[str | None, str | None, str]], numbers: np.ndarray, work: pd.DataFrame, *, min_n: int
) -> pd.DataFrame:
    values = work["_fcr"].to_numpy(dtype=object)
    known = np.array([v is not None for v in values], dtype=bool)
    hit = np.array([v is not None and bool(v) for v in values], dtype=bool)
    total, n, hits = (_counts(numbers, mask, len(groups)) for mask in (np.ones(len(values), bool), known, hit))
    rows = []
    for number, (agent, team, period) in enumerate(groups):
        low, high = wilson_interval_pct(successes=hits[number], n=n[number]) if n[number] else (None, None)
        rows.append(
            {
                "agent": agent,
                "team": team,
                "period": period,
                "n": n[number],
                "resolved": hits[number],
                "fcr": 100.0 * hits[number] / n[number] if n[number] else None,
                "ci_low": low,
                "ci_high": high,
                "unknown": total[number] - n[number],
                "reliable": n[number] >= min_n,
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
