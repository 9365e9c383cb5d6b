"""The data issues of a workbook: one reader for ``sheetops check`` and ``sheetops sync``. Pure.

:func:`workbook_issues` gathers every cell that Settings, Roles, Channels, Stop rules,
Plan-Fact and Daily cannot give as typed, each with its address, code and severity: the
same list whichever command asks, so that a workbook ``check`` calls ready syncs without a
data issue. ``check`` adds its role-map findings on top; ``sync`` lists these as its issues.

Severity: ``error`` when the row is left out (a fact row, a stop rule) or a setting's
default is used instead of the cell; ``warning`` when the row is still used and the
message says what sheetops does meanwhile.
"""

from __future__ import annotations

from sheetops.messages import message
from sheetops.sync.facts import Facts
from sheetops.sync.rules import daily_metric_findings
from sheetops.sync.summary import format_number
from sheetops.tables import Inputs, missing_target_findings, tab_name
from sheetops.workbook import BoundWorkbook, Finding, WorkbookData

CELL_LIMIT_WARNING = 0.8  # warn when a workbook holds this share of its storage's cell limit


def workbook_issues(bound: BoundWorkbook, inputs: Inputs, facts: Facts) -> tuple[Finding, ...]:
    """Every data issue of the workbook, said in its language (``inputs.settings.lang``)."""
    plan_fact = bound.template.tab("plan_fact")
    return (
        *inputs.findings,
        *missing_target_findings(bound, inputs),
        *daily_metric_findings(inputs, facts.daily_tab, bound.tab("stop_rules"),
                               lambda key: plan_fact.column(key).header[bound.lang], tab_name(bound, "daily")),
        *facts.issues,
        *cell_limit_findings(bound.data, inputs.settings.lang),
    )


def cell_limit_findings(data: WorkbookData, lang: str = "en") -> tuple[Finding, ...]:
    """A warning when the workbook nears its storage's cell limit (Google Sheets: 10 million)."""
    if data.cell_count is None or data.cell_limit is None or data.cell_count < CELL_LIMIT_WARNING * data.cell_limit:
        return ()
    return (
        Finding(
            None,
            message("cell_limit", lang, cells=format_number(data.cell_count, lang, 0),
                    share=f"{data.cell_count / data.cell_limit:.0%}", limit=format_number(data.cell_limit, lang, 0)),
            "warning",
            "cell_limit",
        ),
    )
