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

from sheetops.sync.facts import Facts
from sheetops.sync.rules import daily_metric_findings
from sheetops.tables import Inputs, missing_target_findings, tab_name
from sheetops.templates.model import say
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
            say(lang,
                en=f"the spreadsheet has {data.cell_count:,} cells, {data.cell_count / data.cell_limit:.0%} of "
                f"Google's limit of {data.cell_limit:,}; when it is reached nothing more can be added. Move old Daily "
                "rows to an archive spreadsheet, or delete empty rows and columns at the end of each tab",
                ru=f"в таблице {_ru_count(data.cell_count)} ячеек, {data.cell_count / data.cell_limit:.0%} от лимита "
                f"Google в {_ru_count(data.cell_limit)}; когда он будет исчерпан, ничего добавить не получится. "
                "Перенесите старые строки вкладки «По дням» в архивную таблицу или удалите пустые строки и столбцы "
                "в конце каждой вкладки"),
            "warning",
            "cell_limit",
        ),
    )


def _ru_count(number: int) -> str:
    """10 000 000: thousands apart by a space, as Russian writes them."""
    return f"{number:,}".replace(",", "\u00a0")
