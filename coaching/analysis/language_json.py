"""The language fields of the analysis JSON's ``call`` object (all optional, added in schema 1.0 compatibly):
``language_source``, ``language_flagged``, ``language_flags`` and ``language_channels``."""

from __future__ import annotations

from coaching.jsonable import JsonObject
from coaching.models import LANGUAGE_FLAGS, LANGUAGE_SOURCES, SPEAKERS, ChannelLanguage, LanguageCheck
from coaching.settings import SUPPORTED_LANGUAGES

LANGUAGE_SCHEMA: JsonObject = {
    "language_source": {
        "description": "How the language was chosen: forced (--language, the upload form, a re-analysis), the "
        "agent's or the team's default, or detected.",
        "enum": [*LANGUAGE_SOURCES, None],
    },
    "language_flagged": {
        "description": "The detected language is doubtful (see language_flags): check it, or analyse again with "
        "the language forced.",
        "type": "boolean",
    },
    "language_flags": {
        "description": "low_probability: the detection probability is under the threshold; channels_disagree: "
        "the two channels of a stereo call were detected as different languages.",
        "type": "array",
        "items": {"enum": list(LANGUAGE_FLAGS)},
    },
    "language_channels": {
        "description": "Stereo calls with a detected language: the detection on each channel with enough speech.",
        "type": "array",
        "items": {
            "type": "object",
            "required": ["speaker", "language", "probability"],
            "properties": {
                "speaker": {"enum": list(SPEAKERS)},
                "language": {"enum": list(SUPPORTED_LANGUAGES)},
                "probability": {"type": "number", "minimum": 0, "maximum": 1},
            },
        },
    },
}


def language_fields(check: LanguageCheck | None) -> JsonObject:
    """The ``call`` fields of ``check`` (nothing known: source null, not flagged)."""
    return {
        "language_source": check.source if check else None,
        "language_flagged": bool(check and check.flagged),
        "language_flags": list(check.flags) if check else [],
        "language_channels": [
            {"speaker": c.speaker, "language": c.language, "probability": round(c.probability, 4)}
            for c in (check.channels if check else ())
        ],
    }


def language_check_from(call: JsonObject) -> LanguageCheck | None:
    """The :class:`LanguageCheck` of a ``call`` JSON object; None when it names no source (older JSON)."""
    source = call.get("language_source")
    if source not in LANGUAGE_SOURCES:
        return None
    return LanguageCheck(
        language=str(call["language"]),
        source=source,
        probability=call.get("language_probability"),
        channels=tuple(
            ChannelLanguage(c["speaker"], c["language"], float(c["probability"]))
            for c in call.get("language_channels") or ()
        ),
        flags=tuple(f for f in call.get("language_flags") or () if f in LANGUAGE_FLAGS),
    )
