"""Plotly figures of the pages. Pure: data in, figure out (no Streamlit calls)."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from coaching.metrics.norms import Norms
from coaching.models import Analysis


def escaped(values: Iterable[Any]) -> list[str]:
    """Names and labels people wrote, as plotly shows them literally: plotly reads ``<a href>``, ``<b>`` and
    ``<span style>`` in text, so ``<``, ``>`` and ``&`` are written as entities (plotly turns them back)."""
    return [html.escape(str(v), quote=False) for v in values]


COLORS = {"agent": "#1f77b4", "customer": "#ff7f0e", "overtalk": "#d62728", "silence": "#9e9e9e"}


def timeline(analysis: Analysis) -> go.Figure:
    """Who speaks when (with overtalk and silences), tempo per turn, and the customer's trajectory."""
    metrics = analysis.metrics
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.45, 0.3, 0.25],
        vertical_spacing=0.06,
        subplot_titles=("Who speaks when", "Tempo per turn (syllables/s)", "Customer words: relief − worry"),
    )
    lanes: dict[str, list[tuple[float, float, str]]] = {"agent": [], "customer": [], "overtalk": [], "silence": []}
    for span in analysis.transcript.speech_spans:
        lanes[span.speaker].append((span.start_s, span.end_s, span.speaker))
    for event in metrics.overtalk.events:
        lanes["overtalk"].append((event.start_s, event.end_s, f"overtalk {event.duration_s:.1f} s"))
    for gap in metrics.silences:
        note = "flagged silence" if gap.flagged else "silence"
        lanes["silence"].append((gap.start_s, gap.end_s, f"{note} {gap.duration_s:.1f} s"))
    for lane, spans in lanes.items():
        if not spans:
            continue
        fig.add_trace(
            go.Bar(
                x=[end - start for start, end, _ in spans],
                base=[start for start, _, _ in spans],
                y=[lane] * len(spans),
                orientation="h",
                name=lane,
                marker_color=COLORS[lane],
                hovertext=[text for *_, text in spans],
                customdata=[start for start, _, _ in spans],
                hovertemplate="%{base:.1f}–%{x:.1f} s<br>%{hovertext}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    tempo = pd.DataFrame([point.to_dict() for point in metrics.tempo_series])
    if not tempo.empty and "syllables_per_second" in tempo:
        for speaker, points in tempo.dropna(subset=["syllables_per_second"]).groupby("speaker"):
            fig.add_trace(
                go.Scatter(
                    x=points["start_s"],
                    y=points["syllables_per_second"],
                    mode="markers+lines",
                    name=f"{speaker} tempo",
                    marker_color=COLORS.get(str(speaker), "#333"),
                    customdata=points["start_s"],
                ),
                row=2,
                col=1,
            )
    series = metrics.customer_trajectory.series
    if series:
        fig.add_trace(
            go.Scatter(
                x=[(w.start_s + w.end_s) / 2 for w in series],
                y=[w.balance for w in series],
                mode="lines+markers",
                name="customer balance",
                marker_color="#2ca02c",
                customdata=[w.start_s for w in series],
            ),
            row=3,
            col=1,
        )
    fig.update_layout(
        height=460, barmode="overlay", margin={"l": 10, "r": 10, "t": 40, "b": 10}, legend_orientation="h"
    )
    fig.update_xaxes(title_text="seconds", row=3, col=1)
    return fig


def score_trend(calls: pd.DataFrame) -> go.Figure:
    """Checklist score per call over time (after coach review), by call type."""
    fig = go.Figure()
    for call_type, group in calls.dropna(subset=["score"]).groupby("call_type"):
        fig.add_trace(go.Scatter(x=group["created_at"], y=group["score"], mode="markers+lines", name=str(call_type)))
    fig.update_layout(yaxis_title="checklist score", yaxis_range=[0, 105], height=320, margin={"t": 30})
    return fig


def item_heatmap(rates: pd.DataFrame) -> go.Figure:
    """Pass rate per checklist item and period, with n in the hover."""
    if rates.empty:
        return go.Figure()
    wide = rates.pivot_table(index="label", columns="period", values="pass_rate")
    counts = rates.pivot_table(index="label", columns="period", values="n").reindex_like(wide)
    fig = go.Figure(
        go.Heatmap(
            z=wide.values,
            x=list(wide.columns),
            y=escaped(wide.index),
            zmin=0,
            zmax=1,
            colorscale="RdYlGn",
            customdata=counts.values,
            hovertemplate="%{y}<br>%{x}: %{z:.0%} passed (n=%{customdata})<extra></extra>",
        )
    )
    fig.update_layout(height=60 + 28 * len(wide), margin={"t": 20, "l": 10})
    fig.update_xaxes(type="category")
    return fig


def with_interval(frame: pd.DataFrame, *, value: str, group: str | None, title: str) -> go.Figure:
    """A value per period with its 95 % interval as error bars and n as text (NPS or FCR rows)."""
    fig = go.Figure()
    if frame.empty:
        return fig
    groups = frame.groupby(group) if group else [("all", frame)]
    for name, rows in groups:
        rows = rows.dropna(subset=[value])
        fig.add_trace(
            go.Scatter(
                x=rows["period"],
                y=rows[value],
                mode="lines+markers+text",
                name=escaped([name])[0],
                text=[f"n={n}" for n in rows["n"]],
                textposition="top center",
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": rows["ci_high"] - rows[value],
                    "arrayminus": rows[value] - rows["ci_low"],
                },
            )
        )
    fig.update_layout(yaxis_title=title, height=340, margin={"t": 30})
    fig.update_xaxes(type="category", categoryorder="category ascending")
    return fig


def delivery_trend(calls: pd.DataFrame) -> go.Figure:
    """Agent and customer tempo, and the agent's talk share against its norm band (per the calls' languages)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Tempo (syllables/s)", "Agent talk share"))
    for column, name in (("agent_sps", "agent"), ("customer_sps", "customer")):
        fig.add_trace(
            go.Scatter(
                x=calls["created_at"], y=calls[column], mode="markers+lines", name=name, marker_color=COLORS[name]
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Scatter(x=calls["created_at"], y=calls["talk_ratio_agent"], mode="markers+lines", name="talk share"),
        row=1,
        col=2,
    )
    for low, high in talk_share_bands(calls):
        fig.add_hrect(y0=low, y1=high, fillcolor="green", opacity=0.1, line_width=0, row=1, col=2)
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    fig.update_layout(height=320, margin={"t": 40})
    return fig


def talk_share_bands(calls: pd.DataFrame) -> list[tuple[float, float]]:
    """The distinct agent talk-share norm bands (low, high) of the calls' languages, from the norms files."""
    bands = []
    for language in sorted(set(calls["language"].dropna())) if "language" in calls else ():
        band = Norms.load(str(language)).bands.get("talk_ratio_agent")
        if band is not None and band.low is not None and band.high is not None:
            bands.append((band.low, band.high))
    return sorted(set(bands))


def competence_heatmap(levels: pd.DataFrame) -> go.Figure:
    """Agents × competences, level 1 (learning) to 4 (expert); blank where nothing is known."""
    if levels.empty:
        return go.Figure()
    wide = levels.pivot_table(index="agent", columns="competence", values="level", dropna=False)
    order = list(dict.fromkeys(levels["competence"]))
    wide = wide.reindex(columns=order)
    fig = go.Figure(
        go.Heatmap(
            z=wide.values,
            x=escaped(order),
            y=escaped(wide.index),
            zmin=1,
            zmax=4,
            colorscale="RdYlGn",
            text=[[f"{v:.1f}" if v == v else "" for v in row] for row in wide.values],
            texttemplate="%{text}",
            colorbar={"title": "level", "tickvals": [1, 2, 3, 4]},
            hovertemplate="%{y}<br>%{x}: level %{z:.1f}<extra></extra>",
        )
    )
    fig.update_layout(height=80 + 40 * len(wide), margin={"t": 20})
    return fig


def lines(frame: pd.DataFrame, *, x: str, y: str, color: str, title: str, **layout: Any) -> go.Figure:
    fig = go.Figure()
    for name, rows in frame.groupby(color):
        fig.add_trace(go.Scatter(x=rows[x], y=rows[y], mode="lines+markers", name=escaped([name])[0]))
    fig.update_layout(yaxis_title=title, height=340, margin={"t": 30}, **layout)
    fig.update_xaxes(type="category", categoryorder="category ascending")
    return fig


def bars(frame: pd.DataFrame, *, x: str, ys: list[str], title: str) -> go.Figure:
    fig = go.Figure([go.Bar(x=escaped(frame[x]), y=frame[y], name=y.replace("_", " ")) for y in ys])
    fig.update_layout(barmode="group", yaxis_title=title, height=340, margin={"t": 30})
    return fig
