"""The Ray engine of a batch run (``--engine ray``): one worker actor per ``--workers``, one speech model each.

Ray is optional (``pip install -r requirements-distributed.txt``). Each actor opens the database of
``COACHING_DB_URL``, resolves the analysis configuration there, loads its speech model once (a model cannot be
pickled, so it never travels) and runs the batch's jobs with the queue's leases
(:meth:`coaching.services.worker.JobWorker.run_batch`): the actors claim from the database, so two never run the same
file, and an actor that dies leaves its job to another when the lease runs out. An actor whose configuration
fingerprint differs from the batch's refuses to start. ``address`` joins an existing cluster (``ray start --head`` on
one machine, ``ray start --address`` on the others); actors on other machines need the project installed, the
recordings at the same paths and a database all of them reach (PostgreSQL) — the README explains.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from coaching.errors import ConflictError, InputError
from coaching.settings import Settings
from coaching.store.db import Database
from coaching.store.queue import release

ENV_PREFIXES = ("COACHING_", "HF_HUB_OFFLINE", "OMP_NUM_THREADS")


class BatchActor:
    """A Ray worker: its own database handle, its own model, the batch's jobs one at a time."""

    def __init__(
        self,
        batch_id: str,
        fingerprint: str,
        lease_s: float,
        max_attempts: int,
    ) -> None:
        from coaching.analysis.fingerprint import config_fingerprint
        from coaching.asr.transcriber import load_transcriber
        from coaching.services.batch import batch_worker
        from coaching.services.config import analysis_config

        settings = Settings.from_env()
        self._db = Database.open(settings.db_url, migrate=False)
        config = analysis_config(settings, self._db)
        if config_fingerprint(config) != fingerprint:
            raise ConflictError(
                "a Ray worker resolves another analysis configuration than the batch (model, "
                "languages, checklist or decoding settings): give every node the same settings"
            )
        model = load_transcriber(config.settings)  # loaded once, here in the actor
        self._worker = batch_worker(
            self._db,
            settings,
            lambda analysis: (
                model if analysis.whisper_model == config.settings.whisper_model else load_transcriber(analysis)
            ),
            batch_id=batch_id,
            lease_s=lease_s,
            max_attempts=max_attempts,
        )

    def owner(self) -> str:
        return self._worker.owner

    def run(self) -> int:
        try:
            return self._worker.run_batch()
        finally:
            self._db.dispose()


def _environment(settings: Settings) -> dict[str, str]:
    """What the actors need of this process's environment: the COACHING_ settings (the data folder and the
    database as absolute paths: an actor starts in another folder) and the import path."""
    env = {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIXES)}
    env["COACHING_DATA_DIR"] = str(settings.data_dir.resolve())
    db_url = settings.db_url
    if db_url.startswith("sqlite:///") and not db_url.startswith("sqlite:////"):
        db_url = f"sqlite:///{Path(db_url.removeprefix('sqlite:///')).resolve()}"
    env["COACHING_DB_URL"] = db_url
    root = str(Path(__file__).resolve().parents[2])  # the folder that holds the coaching package
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    return env


def run_ray(
    db: Database,
    *,
    settings: Settings,
    batch_id: str,
    fingerprint: str,
    workers: int,
    address: str | None = None,
    lease_s: float,
    max_attempts: int,
) -> int:
    """Run the batch's jobs on ``workers`` Ray actors (a local instance, or the cluster at ``address``); return how
    many jobs they ran. An interrupt stops the actors and queues their jobs again."""
    try:
        import ray
    except ModuleNotFoundError:
        raise InputError("--engine ray needs Ray: pip install -r requirements-distributed.txt") from None
    env = _environment(settings)
    started = not ray.is_initialized()
    if started:
        options: dict[str, Any] = {"include_dashboard": False, "runtime_env": {"env_vars": env}, "log_to_driver": False}
        if address is None:
            options["num_cpus"] = workers
        ray.init(address=address, **options)
    actor_class: Any = ray.remote(num_cpus=1, max_restarts=0)(BatchActor)
    actors: list[Any] = [actor_class.remote(batch_id, fingerprint, lease_s, max_attempts) for _ in range(workers)]
    owners: list[str] = []
    try:
        owners = list(ray.get([a.owner.remote() for a in actors]))  # raises here when an actor could not start
        return sum(ray.get([a.run.remote() for a in actors]))
    except ray.exceptions.RayActorError as error:
        raise ConflictError(f"a Ray worker failed: {str(error.__cause__ or error).strip().splitlines()[-1]}") from None
    finally:
        for actor in actors:
            ray.kill(actor)
        for owner in owners:
            release(db, owner=owner)
        if started:
            ray.shutdown()
