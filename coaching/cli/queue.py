"""CLI commands ``worker`` (runs the app's analysis queue) and ``batch`` (analyses a folder or a manifest)."""

from __future__ import annotations

import argparse
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from coaching.cli.context import CliContext
from coaching.errors import CoachingError, InputError
from coaching.store.queue import DONE, FAILED, LEASE_S, MAX_ATTEMPTS, batch_counts, release


def add_commands(subparsers: Any) -> None:
    worker = subparsers.add_parser("worker", help="run the app's queued analyses (make run starts one)")
    _lease_options(worker)
    worker.add_argument("--poll-s", type=float, default=1.0, metavar="S", help="look for new jobs this often")
    worker.add_argument("--until-idle", action="store_true", help="stop when no job waits (default: run until killed)")
    worker.set_defaults(handler=run_worker)

    batch = subparsers.add_parser("batch", help="analyse every recording of a folder or a CSV manifest")
    batch.add_argument("source", metavar="DIR_OR_MANIFEST", type=Path, help="a folder (recursive) or a CSV manifest")
    batch.add_argument("--agent", metavar="ID", default=None, help="the agent of a folder's calls (manifest: default)")
    batch.add_argument("--engine", choices=("local", "ray"), default="local", help="run here, or on Ray workers")
    batch.add_argument("--address", metavar="ADDR", default=None, help="join this Ray cluster (default: start one)")
    batch.add_argument("--workers", type=int, default=None, metavar="N", help="Ray workers, one model each (default 2)")
    batch.add_argument("--retry-failed", action="store_true", help="try files that failed in an earlier run again")
    _lease_options(batch)
    batch.set_defaults(handler=run_batch)


def _lease_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lease-s",
        type=float,
        default=LEASE_S,
        metavar="S",
        help=f"a job's lease, renewed while it runs ({LEASE_S:g})",
    )
    parser.add_argument(
        "--max-attempts",
        type=int,
        default=MAX_ATTEMPTS,
        metavar="N",
        help=f"claims of a job whose worker died before it fails ({MAX_ATTEMPTS})",
    )


def _check_lease(args: argparse.Namespace) -> None:
    if args.lease_s <= 0 or args.max_attempts < 1:
        raise InputError("--lease-s must be above 0 and --max-attempts at least 1")


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """``kill`` (SIGTERM) stops the command like Ctrl-C, so held jobs are queued again."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_worker(args: argparse.Namespace, context: CliContext) -> int:
    from coaching.asr.transcriber import load_transcriber
    from coaching.services.retention import daily_retention
    from coaching.services.worker import JobWorker

    _check_lease(args)
    db = context.database()
    settings = context.settings
    worker = JobWorker(
        db=db,
        settings=lambda: settings,
        transcriber_factory=load_transcriber,
        poll_s=args.poll_s,
        lease_s=args.lease_s,
        max_attempts=args.max_attempts,
        maintenance=daily_retention(db, lambda: settings),  # the retention policy, at most once a day
    )
    print(f"worker {worker.owner}: running queued analyses", file=context.stderr, flush=True)
    try:
        with _terminate_as_interrupt():
            worker.run(until_idle=args.until_idle)
    except KeyboardInterrupt:
        again = release(db, owner=worker.owner)
        print(f"worker stopped; {again} job(s) queued again", file=context.stderr)
    return 0


def run_batch(args: argparse.Namespace, context: CliContext) -> int:
    from tqdm import tqdm

    from coaching.analysis.fingerprint import config_fingerprint
    from coaching.asr.transcriber import load_transcriber
    from coaching.services.batch import batch_worker, plan_batch, read_items, summarise
    from coaching.services.config import analysis_config

    _check_lease(args)
    workers = args.workers if args.workers is not None else (2 if args.engine == "ray" else 1)
    if workers < 1 or (args.engine == "local" and workers != 1):
        raise InputError("--workers applies to --engine ray (at least 1); the local engine runs one call at a time")
    if args.address and args.engine != "ray":
        raise InputError("--address joins a Ray cluster: use it with --engine ray")
    items = read_items(args.source, agent_id=args.agent)  # a bad manifest stops here, before anything is stored
    started = time.monotonic()
    db = context.database()
    config = analysis_config(context.settings, db)
    with tqdm(total=len(items), desc="checking", unit="file", file=context.stderr, leave=False) as bar:
        plan = plan_batch(context.user, db, items, config=config, retry_failed=args.retry_failed, on_item=bar.update)
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(context, plan.batch_id, plan.queued, stop), daemon=True)
    watcher.start()
    interrupted = False
    try:
        with _terminate_as_interrupt():
            if not plan.queued:  # nothing to analyse: no engine, no model
                pass
            elif args.engine == "local":
                worker = batch_worker(
                    db,
                    context.settings,
                    load_transcriber,
                    batch_id=plan.batch_id,
                    lease_s=args.lease_s,
                    max_attempts=args.max_attempts,
                )
                try:
                    worker.run_batch()
                finally:
                    release(db, owner=worker.owner)  # held only when interrupted: queued again for the resume
            else:
                from coaching.services.batch_ray import run_ray

                run_ray(
                    db,
                    settings=context.settings,
                    batch_id=plan.batch_id,
                    fingerprint=config_fingerprint(config),
                    workers=workers,
                    address=args.address,
                    lease_s=args.lease_s,
                    max_attempts=args.max_attempts,
                )
    except KeyboardInterrupt:
        interrupted = True
    finally:
        stop.set()
        watcher.join(5.0)
    summary = summarise(db, plan, wall_s=time.monotonic() - started)
    out = context.stdout
    minutes = summary.wall_s / 60
    print(
        f"analysed {summary.analysed} ({summary.audio_s / 60:.1f} audio min), skipped {len(summary.skipped)}, "
        f"failed {len(summary.failed)}, left {summary.left} in {summary.wall_s:.1f} s: "
        f"{summary.analysed / minutes if minutes else 0:.1f} calls/min, "
        f"{summary.audio_s / 60 / minutes if minutes else 0:.2f} audio min per wall min",
        file=out,
    )
    for path, reason in summary.failed:
        print(f"failed: {path}: {reason}", file=out)
    if interrupted:
        print("interrupted: run the same command again to resume", file=context.stderr)
    return 1 if interrupted or summary.failed else 0


def _watch(context: CliContext, batch_id: str, total: int, stop: threading.Event) -> None:
    """The progress bar: finished jobs of the batch, read from the database (every engine writes there)."""
    from tqdm import tqdm

    baseline: int | None = None  # files that could not be read failed while planning
    with tqdm(total=total, desc="analysing", unit="call", file=context.stderr) as bar:
        while True:
            try:
                counts = batch_counts(context.database(), batch_id)
            except CoachingError:  # the database is busy for a moment: the next look tells
                counts = None
            if counts is not None:
                finished = counts.get(DONE, 0) + counts.get(FAILED, 0)
                baseline = finished if baseline is None else baseline
                if finished - baseline > bar.n:
                    bar.update(finished - baseline - bar.n)
            if stop.wait(0.5):
                break
