"""The analysis JSON: a public contract, described by ``schema/analysis.schema.json``.

:func:`analysis_to_dict` writes it, :func:`analysis_from_dict` reads it back, and
:func:`analysis_json_schema` builds the schema from the stage schemas.
"""

from __future__ import annotations

from coaching.analysis.language_json import LANGUAGE_SCHEMA, language_check_from, language_fields
from coaching.checklist.types import ChecklistResult
from coaching.jsonable import JsonObject, from_jsonable
from coaching.metrics.types import CallMetrics
from coaching.models import Analysis, CallInfo, Segment, SpeechSpan, Transcript, Word
from coaching.settings import SUPPORTED_LANGUAGES

SCHEMA_ID = "https://github.com/call-coaching/coaching/schema/analysis.schema.json"


def analysis_to_dict(analysis: Analysis) -> JsonObject:
    """JSON-ready dict of one analysis (see the schema)."""
    call, transcript = analysis.call, analysis.transcript
    return {
        "schema_version": analysis.schema_version,
        "call": {
            "id": call.id,
            "agent_id": call.agent_id,
            "contact_id": call.contact_id,
            "duration_s": call.duration_s,
            "language": call.language,
            "language_probability": _round(transcript.language_probability),
            "channel_mode": call.channel_mode,
            "diarization_confidence": _round(transcript.diarization_confidence),
            "audio_sha256": call.audio_sha256,
            "source_filename": call.source_filename,
            "model": call.model_name,
            "warnings": list(call.warnings),
            **language_fields(transcript.language_check),
        },
        "transcript": {
            "segments": [
                {
                    "speaker": seg.speaker,
                    "start_s": round(seg.start_s, 3),
                    "end_s": round(seg.end_s, 3),
                    "text": seg.text,
                    "words": [
                        {
                            "word": w.word,
                            "start_s": round(w.start_s, 3),
                            "end_s": round(w.end_s, 3),
                            "probability": round(w.probability, 4),
                            **({"suspect": w.suspect} if w.suspect else {}),
                        }
                        for w in seg.words
                    ],
                }
                for seg in transcript.segments
            ],
            "speech_spans": [
                {"speaker": s.speaker, "start_s": round(s.start_s, 3), "end_s": round(s.end_s, 3)}
                for s in transcript.speech_spans
            ],
        },
        "metrics": analysis.metrics.to_dict(),
        "checklist": analysis.checklist.to_dict(),
    }


def analysis_from_dict(data: JsonObject) -> Analysis:
    """Rebuild an :class:`Analysis` from its JSON dict (:class:`ValueError`/:class:`KeyError` when it does not fit;
    validate against :func:`analysis_json_schema` first where the input is untrusted)."""
    c, t = data["call"], data["transcript"]
    transcript = Transcript(
        language=c["language"],
        segments=tuple(
            Segment(
                speaker=s["speaker"],
                start_s=s["start_s"],
                end_s=s["end_s"],
                text=s["text"],
                words=tuple(
                    Word(w["word"], w["start_s"], w["end_s"], w["probability"], w.get("suspect")) for w in s["words"]
                ),
            )
            for s in t["segments"]
        ),
        speech_spans=tuple(SpeechSpan(s["speaker"], s["start_s"], s["end_s"]) for s in t["speech_spans"]),
        channel_mode=c["channel_mode"],
        diarization_confidence=c.get("diarization_confidence"),
        language_probability=c.get("language_probability"),
        language_check=language_check_from(c),
    )
    call = CallInfo(
        id=c["id"],
        agent_id=c["agent_id"],
        duration_s=c["duration_s"],
        language=c["language"],
        audio_sha256=c["audio_sha256"],
        channel_mode=c["channel_mode"],
        model_name=c["model"],
        contact_id=c.get("contact_id"),
        source_filename=c.get("source_filename"),
        warnings=tuple(c.get("warnings", ())),
    )
    metrics = from_jsonable(CallMetrics, data["metrics"])
    checklist = ChecklistResult.from_dict(data["checklist"])
    return Analysis(call, transcript, metrics, checklist, schema_version=data["schema_version"])


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _embedded(schema: JsonObject, schema_id: str) -> JsonObject:
    """A stage schema as an embedded resource: its own ``$id`` keeps its ``#/$defs/…`` references local."""
    return {**schema, "$id": schema_id}


def analysis_json_schema() -> JsonObject:
    """JSON Schema (draft 2020-12) of :func:`analysis_to_dict` output."""
    from coaching.checklist import checklist_json_schema
    from coaching.metrics.compute import metrics_json_schema

    number = {"type": "number"}
    time_s = {"type": "number", "minimum": 0}
    speaker = {"enum": ["agent", "customer"]}
    word = {
        "type": "object",
        "required": ["word", "start_s", "end_s", "probability"],
        "properties": {
            "word": {"type": "string"},
            "start_s": time_s,
            "end_s": time_s,
            "probability": number,
            "suspect": {
                "description": "why the hallucination guard doubts the word (absent: trusted)",
                "type": "string",
            },
        },
    }
    segment = {
        "type": "object",
        "required": ["speaker", "start_s", "end_s", "text", "words"],
        "properties": {
            "speaker": speaker,
            "start_s": time_s,
            "end_s": time_s,
            "text": {"type": "string"},
            "words": {"type": "array", "items": word},
        },
    }
    span = {
        "type": "object",
        "required": ["speaker", "start_s", "end_s"],
        "properties": {"speaker": speaker, "start_s": time_s, "end_s": time_s},
    }
    nullable_string = {"type": ["string", "null"]}
    nullable_unit = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Call analysis",
        "description": "Output of `python -m coaching analyze --json`. Times are seconds from the call start.",
        "type": "object",
        "required": ["schema_version", "call", "transcript", "metrics", "checklist"],
        "properties": {
            "schema_version": {"type": "string"},
            "call": {
                "type": "object",
                "required": ["id", "agent_id", "duration_s", "language", "channel_mode", "audio_sha256", "model"],
                "properties": {
                    "id": {"type": "string"},
                    "agent_id": {"type": "string"},
                    "contact_id": nullable_string,
                    "duration_s": time_s,
                    "language": {"enum": list(SUPPORTED_LANGUAGES)},
                    "language_probability": nullable_unit,
                    "channel_mode": {"enum": ["left", "right", "mono"]},
                    "diarization_confidence": nullable_unit,
                    "audio_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "source_filename": nullable_string,
                    "model": {"type": "string"},
                    "warnings": {"type": "array", "items": {"type": "string"}},
                    **LANGUAGE_SCHEMA,
                },
            },
            "transcript": {
                "type": "object",
                "required": ["segments", "speech_spans"],
                "properties": {
                    "segments": {"type": "array", "items": segment},
                    "speech_spans": {"type": "array", "items": span},
                },
            },
            "metrics": _embedded(metrics_json_schema(), "metrics.schema.json"),
            "checklist": _embedded(checklist_json_schema(), "checklist.schema.json"),
        },
    }
