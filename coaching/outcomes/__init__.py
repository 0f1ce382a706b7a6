"""Customer outcomes: survey exports and the NPS / first-contact-resolution figures (pure, no database).

Modules
-------
surveys   a survey export (CSV, XLSX) → one validated, canonical DataFrame, or one error line naming row and column
nps       NPS with its interval, FCR (Wilson interval), behaviour vs outcome; every figure carries its n and is
          marked unreliable under the minimum n; :func:`nps.period_labels` is the one period labeller

The services that import, scope and store them are in :mod:`coaching.services.outcomes`.
"""
