"""The command line, ``python -m coaching COMMAND`` (a public interface, documented in the README).

Exit codes: 0 success; 1 bad input or failure (one ``error: …`` line, traceback only with ``--debug``); 2 usage.

Modules
-------
main        the parser and the one place that turns a :class:`coaching.errors.CoachingError` into a line
context     :class:`context.CliContext` (settings, database, acting user, streams) handed to every handler
analyze     ``analyze``, ``models``, ``schema``
checklist   ``checklist activate|list|show``
outcomes    ``import-nps``, ``nps``, ``fcr``, ``nps-behaviour``
admin       ``seed-demo``, ``rescore``
privacy     ``retention run|show|set``, ``hold``, ``erase``
audit       ``audit`` (the audit log, filtered; CSV / JSON output is recorded as an export)
queue       ``worker`` (runs the app's queued analyses with leases), ``batch`` (a folder or manifest; local or Ray)
"""
