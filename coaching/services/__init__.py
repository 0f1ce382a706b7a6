"""What the pages, the CLI and the worker call: use cases that take the acting user first and check
:mod:`coaching.access` before touching anyone's data. Long work runs before a short write transaction, so a
failure leaves the database as it was. Services never import the read models (:mod:`coaching.views`).

Modules
-------
config        :func:`config.analysis_config`: the one analysis configuration (organisation's model, languages and
              active checklist; the environment as default)
calls         analyse a recording and store it with its audio; open one call; list calls
languages     default call languages per team and per agent (set in Settings; used by
              :func:`config.with_language_default`, the one place a request's language is decided)
reanalysis    analyse a stored call again with its language forced ("analyse again as sv"), keeping its id
jobs          background analysis: submit an upload, job state that survives a refresh
worker        the queue's worker (``python -m coaching worker``): claims a job with a lease, renews it, runs it as
              its acting user, stores the call in the transaction that finishes the job
batch         batch runs (``python -m coaching batch``): a folder or a CSV manifest as jobs of the same queue,
              skipped when analysed with the same audio and configuration, resumed after an interrupt
batch_ray     the Ray engine of a batch: one worker actor per worker, one speech model each
corrections   edit a segment or swap speakers, then score again through the one scoring step; an agent's
              correction of a real call is a proposal a coach accepts or rejects
feedback      comments, coach overrides, agent acknowledge / dispute
checklists    saved checklist versions, the active one, re-scoring stored calls with another version
practice      the scenario library, practice attempts, feedback on an attempt, sharing with the coach
sessions      coaching sessions: agenda from repeated patterns, notes, action items, follow-up, ratings
outcomes      survey import and saved mappings; NPS, FCR and behaviour vs outcome in the user's scope
admin         users, teams, roles and the organisation's preferences
audit         record and read the append-only audit log
retention     the retention policy and its daily run, legal hold, erasure of a call, an agent or a customer
"""
