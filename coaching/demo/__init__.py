"""Demo data for a fresh database, clearly marked as demo (``make run`` seeds it when the database is empty).

Modules
-------
seed      :func:`seed.seed_demo`: demo teams, agents and staff; the sample calls analysed for real; derived calls,
          feedback, coaching sessions and survey answers
calls     demo calls derived from a real analysis by editing its transcript, then scored by the real scoring step
surveys   months of plausible NPS answers driven by each agent's call quality, imported through the real validation
scale     a contact centre's year for dashboards at scale (100 000 calls, 200 agents, 20 teams), in bulk inserts
"""
