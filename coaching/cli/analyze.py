"""CLI commands ``analyze``, ``models`` and ``schema``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from coaching.analysis.languages import language_doubt
from coaching.analysis.pipeline import AnalysisRequest
from coaching.analysis.report import analysis_json_schema, analysis_to_dict
from coaching.asr.models import available_models
from coaching.asr.transcriber import load_transcriber
from coaching.cli.context import CliContext
from coaching.errors import OutputError
from coaching.services.calls import analyze_and_store, stored_call_of
from coaching.services.config import analysis_config, with_language_default
from coaching.settings import SUPPORTED_LANGUAGES


def add_commands(subparsers: Any) -> None:
    analyze = subparsers.add_parser("analyze", help="transcribe and analyse one recorded call")
    analyze.add_argument("audio", metavar="AUDIO", type=Path, help="wav, mp3, m4a, ogg/opus or flac; stereo or mono")
    analyze.add_argument("--agent", required=True, metavar="ID", help="the agent who took the call")
    analyze.add_argument(
        "--language",
        choices=(*SUPPORTED_LANGUAGES, "auto"),
        default="auto",
        help="force the language; auto (default): the agent's default, else the team's, else detected",
    )
    analyze.add_argument(
        "--channels",
        choices=("left", "right", "mono"),
        default=None,
        help="agent channel (default COACHING_AGENT_CHANNEL); mono diarizes one channel",
    )
    analyze.add_argument(
        "--model", metavar="NAME_OR_DIR", default=None, help="Whisper model name or directory (default: the saved one)"
    )
    analyze.add_argument("--contact-id", default=None, help="survey contact id, to link NPS answers")
    analyze.add_argument("--customer-id", default=None, help="the customer's id, so `erase --customer` finds the call")
    analyze.add_argument("--swap-speakers", action="store_true", help="mono calls: the first speaker is the customer")
    analyze.add_argument("--json", metavar="PATH", default=None, help="write the analysis JSON here ('-' = stdout)")
    analyze.add_argument("--no-store", action="store_true", help="do not store the call in the database")
    analyze.set_defaults(handler=run_analyze)

    models = subparsers.add_parser("models", help="list the speech models usable here")
    models.add_argument("--json", action="store_true", help="print a JSON list")
    models.set_defaults(handler=run_models)

    schema = subparsers.add_parser("schema", help="print the JSON Schema of the analysis JSON")
    schema.set_defaults(handler=run_schema)


def run_analyze(args: argparse.Namespace, context: CliContext) -> int:
    db = None if args.no_store else context.database()
    # the organisation's saved model, languages and active checklist, as the app uses; --model overrides the model
    config = analysis_config(context.settings, context.existing_database()).with_model(args.model)
    transcriber = load_transcriber(config.settings)
    request = AnalysisRequest(
        path=args.audio,
        agent_id=args.agent,
        language=args.language,
        channel_mode=args.channels,
        contact_id=args.contact_id,
        swap_speakers=args.swap_speakers,
    )
    request = with_language_default(request, context.existing_database())  # --no-store too
    stored = stored_call_of(context.user, db, args.audio, agent_id=args.agent) if db is not None else None
    if stored is not None:  # said before analysing; a corrected call or another agent's is refused right here
        print(f"note: this recording is already stored as call {stored}; analysing it again", file=context.stderr)
    analysis = analyze_and_store(
        context.user,
        request,
        settings=config.settings,
        transcriber=transcriber,
        db=db,
        checklist=config.checklist,
        customer_id=args.customer_id,
    )
    data = analysis_to_dict(analysis)
    if args.json == "-":
        json.dump(data, context.stdout, ensure_ascii=False, indent=2)
        context.stdout.write("\n")
    elif args.json:
        try:
            Path(args.json).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            raise OutputError(f"cannot write {args.json}: {error.strerror}") from None
    if args.json != "-":
        speakers = data["metrics"].get("speakers", {})
        ratio = data["metrics"].get("talk_ratio_agent")
        score, version_id = data["checklist"].get("score"), data["checklist"].get("version_id")
        parts = [
            f"{analysis.call.id}",
            f"{analysis.call.duration_s:.1f} s",
            analysis.call.language,
            f"agent talk {ratio:.0%}" if ratio is not None else "agent talk n/a",
            f"agent {speakers.get('agent', {}).get('words_per_minute') or 0:.0f} wpm",
            (f"checklist {score:.0f}/100" if score is not None else "checklist n/a") + f" ({version_id})",
            "not stored" if args.no_store else "stored",
        ]
        print(", ".join(parts), file=context.stdout)
        for warning in analysis.call.warnings:
            print(f"warning: {warning}", file=context.stderr)
        if (check := analysis.transcript.language_check) is not None and check.flagged:
            print(f"warning: {language_doubt(check)}", file=context.stderr)
    return 0


def run_models(args: argparse.Namespace, context: CliContext) -> int:
    settings = analysis_config(context.settings, context.existing_database()).settings
    found = available_models(models_dir=settings.models_dir, configured=settings.whisper_model)
    if args.json:
        json.dump([m.to_dict() for m in found], context.stdout, indent=2)
        context.stdout.write("\n")
        return 0
    if not found:
        print("no models found; install the requirements or set COACHING_WHISPER_MODEL", file=context.stdout)
    for m in found:
        mark = "*" if m.default else " "
        print(f"{mark} {m.name:10} {','.join(m.languages):9} {m.path}", file=context.stdout)
    return 0


def run_schema(_args: argparse.Namespace, context: CliContext) -> int:
    json.dump(analysis_json_schema(), context.stdout, indent=2, ensure_ascii=False)
    context.stdout.write("\n")
    return 0
