"""Read models behind the pages: each asks the database only for what the acting user may see and the page shows.

Views import the store, :mod:`coaching.access` and the domain packages (checklist, metrics, outcomes, models),
never the services; pages import both.

Modules
-------
calls      the call list with filters and flags (:func:`calls.call_table`) and one call's review page
           (:func:`calls.call_review`)
progress   one agent over time: scores, item pass rates, NPS and FCR per period (:func:`progress.agent_progress`)
team       competence map, calibration, and NPS / FCR per agent and team of the teams a coach or manager sees
"""
