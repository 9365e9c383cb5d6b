"""The sync: the Friday run that turns a week's facts into decisions.

The pure core, each a set of plain functions from data to data (no I/O):

* :mod:`.facts`   Plan-Fact and Daily rows -> facts per channel, day and week, with issues;
* :mod:`.kpis`    CPL, CPA, CR, ROAS, ROMI, CAC, LTV, shares and deviations;
* :mod:`.rules`   stop rules: N periods in a row, streaks, breaches;
* :mod:`.status`  ok / watch / breach / no_data / paused / stopped;
* :mod:`.summary` what is written: the CMO Summary, the Sync Log row, the highlights' notes;
* :mod:`.report`  the :class:`~.report.SyncReport` and its JSON contract.

:mod:`.engine` ties them to a backend: ``run_sync(backend, template, as_of=...)``.
"""
