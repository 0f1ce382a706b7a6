"""The database: SQLAlchemy tables, Alembic migrations, and the repositories and reads over them.

SQLite (WAL) or PostgreSQL; :class:`db.Database` migrates on open and hands out short transactions.
A call's current analysis has one definition: :func:`calls.current_analysis_ids`.

Modules
-------
db, base, migrate    the handle, the declarative base and engine, migrations to head (``migrations/``)
tables               teams, agents, calls, segments, words, speech spans, analyses, their item and category rows
app_tables           app users, settings, checklist versions, jobs, feedback, practice, coaching sessions
survey_tables        survey answers, saved mappings, the import upsert
calls                save and load one analysis (typed ↔ rows), call summaries, the current analysis, ownership
languages            default languages of teams and agents; how a call's language was chosen (0006)
feedback             comments, the newest review per item and side, transcript corrections and their status
results              per-call and per-item frames of current analyses with overrides applied
totals               checklist item totals per agent (0011), recounted when an agent's calls change
outcomes             survey reads narrowed to a scope; NPS / FCR tables
audit                the append-only audit log (the database refuses UPDATE and DELETE)
erase                deleting calls with every row that refers to them, a call's audio, surveys, an agent's rows
scope                the access scopes of :mod:`coaching.access` as SQL conditions
queue                the job queue's claims: one statement per claim (SKIP LOCKED / compare-and-set), leases,
                     attempts, finishing a job only while its lease is held
"""
