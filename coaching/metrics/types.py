"""Result dataclasses of the conversation metrics; ``CallMetrics.to_dict()`` goes into the analysis JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from coaching.jsonable import JsonMixin
from coaching.metrics.delivery import Delivery

Status = Literal["within", "below", "above", "unknown"]
QuestionKind = Literal["open", "closed"]
Direction = Literal["improved", "worsened", "unchanged", "no_evidence"]


@dataclass(frozen=True)
class MetricParams(JsonMixin):
    """Thresholds the metrics use (from the norms file, per language)."""

    turn_max_pause_s: float = 1.5  # a speaker's spans closer than this form one turn, unless the other speaks
    backchannel_max_s: float = 1.0  # short listener responses ("joo", "mm") up to this long are backchannels
    min_overtalk_s: float = 0.25  # overlaps shorter than this are turn-taking, not overtalk
    silence_list_s: float = 5.0  # gaps longer than this are listed
    silence_flag_s: float = 10.0  # listed gaps longer than this are flagged (respect_time)
    articulation_min_words: int = 8  # turns with at least this many words give the articulation rate
    articulation_min_pause_s: float = 0.25  # gaps between words this long are pauses (excluded from speech time)
    trajectory_bins: int = 9  # windows in the customer trajectory series (a multiple of 3: thirds)


@dataclass(frozen=True)
class NormCheck(JsonMixin):
    """One metric against its norm band: what the UI shows as good / look at this, and why."""

    label: str
    value: float | None
    low: float | None
    high: float | None
    unit: str
    status: Status
    why: str


@dataclass(frozen=True)
class TimedText(JsonMixin):
    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class Fillers(JsonMixin):
    count: int
    per_minute: float | None  # per minute of the speaker's talk time
    items: tuple[TimedText, ...]


@dataclass(frozen=True)
class Question(JsonMixin):
    start_s: float
    end_s: float
    text: str
    kind: QuestionKind


@dataclass(frozen=True)
class Questions(JsonMixin):
    """The agent's questions; open ones cannot be answered yes/no."""

    open_count: int
    closed_count: int
    items: tuple[Question, ...]


@dataclass(frozen=True)
class SpeakerMetrics(JsonMixin):
    talk_time_s: float  # sum of the speaker's speech spans
    turns: int
    words: int
    syllables: int
    words_per_minute: float | None  # words per minute of talk time
    syllables_per_second: float | None  # syllables per second of talk time
    articulation_rate_sps: float | None  # syllables per second of speech, pauses excluded, turns of >= 8 words
    phonation_s: float  # speech time of those turns, pauses excluded
    articulation_turns: int
    fillers: Fillers
    delivery: Delivery | None


@dataclass(frozen=True)
class Speakers(JsonMixin):
    agent: SpeakerMetrics
    customer: SpeakerMetrics


@dataclass(frozen=True)
class TempoPoint(JsonMixin):
    """Tempo of one turn, for a chart; ``reliable`` when it has enough words for the articulation rate."""

    speaker: Literal["agent", "customer"]
    start_s: float
    end_s: float
    words: int
    words_per_minute: float | None
    syllables_per_second: float | None  # per second of speech in the turn (pauses excluded)
    reliable: bool


@dataclass(frozen=True)
class Stretch(JsonMixin):
    start_s: float
    end_s: float
    duration_s: float


@dataclass(frozen=True)
class Gap(JsonMixin):
    """A silence (neither speaker active)."""

    start_s: float
    end_s: float
    duration_s: float
    flagged: bool  # longer than the flag threshold (10 s by default)


@dataclass(frozen=True)
class Overtalk(JsonMixin):
    total_s: float
    count: int
    share_of_talk: float | None  # overtalk / time anyone speaks
    events: tuple[Stretch, ...]


@dataclass(frozen=True)
class Interruption(JsonMixin):
    start_s: float
    overlap_s: float  # how long both spoke after the interrupter started
    text: str


@dataclass(frozen=True)
class Interruptions(JsonMixin):
    """The agent starting while the customer speaks (backchannels excluded)."""

    count: int
    backchannels_excluded: int
    by_customer_count: int  # the customer starting while the agent speaks
    customer_backchannels: int  # customer backchannels while the agent speaks (not counted above)
    events: tuple[Interruption, ...]


@dataclass(frozen=True)
class SilenceSummary(JsonMixin):
    total_non_talk_s: float  # time in the call with nobody speaking, call edges included
    longest_gap_s: float
    over_list_count: int
    flagged_count: int


@dataclass(frozen=True)
class ResponseLatency(JsonMixin):
    """Gap from the end of a customer turn to the agent's reply (0 when the agent starts early)."""

    count: int
    median_s: float | None
    max_s: float | None
    max_at_s: float | None  # end of the customer turn before the longest wait


@dataclass(frozen=True)
class StateCounts(JsonMixin):
    hardship: int
    worry: int
    anger: int
    relief: int
    thanks: int


@dataclass(frozen=True)
class StateHit(JsonMixin):
    category: str
    text: str
    start_s: float


@dataclass(frozen=True)
class TrajectoryWindow(JsonMixin):
    """The customer's words and voice in one window; voice relative to the customer's whole-call median."""

    start_s: float
    end_s: float
    customer_talk_s: float
    counts: StateCounts
    balance: int  # (relief + thanks) − (worry + anger); hardship is the situation, shown but not weighed
    pitch_st_vs_baseline: float | None
    energy_db_vs_baseline: float | None


@dataclass(frozen=True)
class CustomerTrajectory(JsonMixin):
    """How the customer's words and voice changed from the first third of the call to the last."""

    first_third: TrajectoryWindow
    last_third: TrajectoryWindow
    balance_change: int
    pitch_change_st: float | None
    energy_change_db: float | None
    direction: Direction  # from the balance; no_evidence when no feeling words were heard
    baseline_pitch_hz: float | None
    baseline_energy_dbfs: float | None
    series: tuple[TrajectoryWindow, ...]
    hits: tuple[StateHit, ...]


@dataclass(frozen=True)
class CallMetrics(JsonMixin):
    """All conversation metrics of one call."""

    language: str
    channel_mode: str
    diarization_confidence: float | None  # mono calls: how sure the speaker split is; None for stereo
    duration_s: float  # from the first to the last speech (or the audio length when signals are given)
    talk_ratio_agent: float | None  # agent talk time / both speakers' talk time
    speakers: Speakers
    rate_matching: float | None  # agent articulation rate / customer articulation rate
    longest_agent_monologue: Stretch | None
    longest_customer_story: Stretch | None
    questions: Questions
    tempo_series: tuple[TempoPoint, ...]
    overtalk: Overtalk
    interruptions: Interruptions
    silences: tuple[Gap, ...]  # gaps longer than the list threshold (5 s)
    silence_summary: SilenceSummary
    response_latency: ResponseLatency
    customer_trajectory: CustomerTrajectory
    norms: dict[str, NormCheck]
    parameters: MetricParams
