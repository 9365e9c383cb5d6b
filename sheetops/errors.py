"""The exceptions sheetops raises when a run cannot go on.

Problems a person must fix in a workbook (a bad cell, a breached rule) are not
exceptions: they are collected as findings and reported together. Exceptions are
for what stops the run::

    SheetopsError
    ├── TemplateError        a template file is missing or malformed
    ├── WorkbookError        the workbook cannot be used (unreadable, not .xlsx,
    │   │                    encrypted, missing tab or header)
    │   ├── WorkbookLockedError    open in Excel/LibreOffice, or another sync runs
    │   └── TargetExistsError      init would overwrite an existing file
    ├── BackendError         a backend failed (file system, network, API)
    │   ├── CredentialsError       no usable credentials, or access refused
    │   ├── ServiceUnavailableError  the network or the service failed for now
    │   ├── PlatformError          the backend cannot run on this system (live Excel on Linux)
    │   └── SchedulerError         the system's scheduler refused a job
    ├── MissingExtraError    an optional dependency is not installed
    └── ConfigError          the notification settings cannot be used (unreadable,
                             readable by other users, a mistake in them)

The CLI maps each class to an exit code in one place (``sheetops.cli``), through
:func:`exit_code_of` and :func:`error_kind_of`, which the log of scheduled runs uses too.
"""

from __future__ import annotations


class SheetopsError(Exception):
    """Base class: a problem that stops a sheetops run, with a message for people."""


class TemplateError(SheetopsError):
    """A template file is missing, unreadable or does not follow the template format."""


class WorkbookError(SheetopsError):
    """The workbook cannot be used: unreadable, not a workbook, or missing a tab or header."""


class WorkbookLockedError(WorkbookError):
    """The workbook is open in a spreadsheet program, or another sheetops run holds it."""


class TargetExistsError(WorkbookError):
    """The file init would create exists already and --force was not given."""


class BackendError(SheetopsError):
    """A storage backend failed: a file system, network or API error."""


class CredentialsError(BackendError):
    """No usable credentials were found, or the service refused them."""


class ServiceUnavailableError(BackendError):
    """The network or a service failed in a way that may pass: a scheduled run tries again later."""


class PlatformError(BackendError):
    """The backend needs what this system lacks: live Excel needs Excel, on Windows or macOS."""


class SchedulerError(BackendError):
    """The system's scheduler (systemd, cron, launchd, Task Scheduler) refused to add or remove a job."""


class MissingExtraError(SheetopsError):
    """An optional dependency is not installed; the message names the extra to install."""


class ConfigError(SheetopsError):
    """The notification settings file cannot be used; the message names the file and the fix."""


# The `error` of a failure under --json and in the log of scheduled runs: a stable name for
# scripts, most specific class first.
ERROR_KINDS: tuple[tuple[type[SheetopsError], str], ...] = (
    (TargetExistsError, "target_exists"),
    (WorkbookLockedError, "workbook_locked"),
    (WorkbookError, "workbook_unusable"),
    (TemplateError, "template_unusable"),
    (CredentialsError, "credentials_failed"),
    (SchedulerError, "scheduler_failed"),
    (PlatformError, "platform_unsupported"),
    (BackendError, "backend_failed"),
    (MissingExtraError, "missing_extra"),
    (ConfigError, "config_unusable"),
)


def exit_code_of(error: SheetopsError) -> int:
    """The exit code of a failure: 1 init refused to overwrite, 4 a backend, else 2."""
    if isinstance(error, TargetExistsError):
        return 1
    if isinstance(error, BackendError):
        return 4
    return 2


def error_kind_of(error: SheetopsError) -> str:
    return next((kind for cls, kind in ERROR_KINDS if isinstance(error, cls)), "failed")
