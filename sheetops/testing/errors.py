"""Error values of the Google API emulator, rendered in Google's error envelopes.

The Sheets API (a "OnePlatform" API) answers errors as::

    {"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT",
               "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                            "fieldViolations": [...]}]}}

while the Drive v3 API uses the older envelope with an ``errors`` list::

    {"error": {"code": 404, "message": "File not found: x.",
               "errors": [{"message": "...", "domain": "global", "reason": "notFound",
                           "location": "fileId", "locationType": "parameter"}]}}

:class:`ApiError` carries enough to render either one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ApiError", "FieldViolation", "STATUS_BY_CODE", "bad_request", "not_found"]

#: The canonical gRPC status name Google puts beside each HTTP code.
STATUS_BY_CODE: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

_DRIVE_REASON_BY_CODE: dict[int, str] = {
    400: "badRequest",
    401: "authError",
    403: "forbidden",
    404: "notFound",
    429: "rateLimitExceeded",
    500: "backendError",
    503: "backendError",
}


@dataclass(frozen=True)
class FieldViolation:
    """One entry of a ``google.rpc.BadRequest`` detail."""

    description: str
    field: str | None = None

    def to_json(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.field is not None:
            out["field"] = self.field
        out["description"] = self.description
        return out


@dataclass
class ApiError(Exception):
    """An error answer of the emulated service.

    ``details`` is copied verbatim into the Sheets envelope; ``violations``, when given,
    become a ``google.rpc.BadRequest`` detail.  ``drive_reason``/``drive_location`` shape
    the Drive envelope.
    """

    code: int
    message: str
    status: str | None = None
    violations: list[FieldViolation] = field(default_factory=list)
    details: list[dict[str, Any]] = field(default_factory=list)
    drive_reason: str | None = None
    drive_location: str | None = None
    drive_location_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def status_name(self) -> str:
        return self.status or STATUS_BY_CODE.get(self.code, "UNKNOWN")

    def sheets_envelope(self) -> dict[str, Any]:
        """The body as the Sheets API (and the OAuth-protected v4 front end) renders it."""
        err: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status_name}
        details = list(self.details)
        if self.violations:
            details.append(
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [v.to_json() for v in self.violations],
                }
            )
        if details:
            err["details"] = details
        return {"error": err}

    def drive_envelope(self) -> dict[str, Any]:
        """The body as the Drive v3 API renders it."""
        item: dict[str, Any] = {
            "message": self.message,
            "domain": "usageLimits" if self.code == 429 else "global",
            "reason": self.drive_reason or _DRIVE_REASON_BY_CODE.get(self.code, "error"),
        }
        if self.drive_location is not None:
            item["location"] = self.drive_location
            item["locationType"] = self.drive_location_type or "parameter"
        return {"error": {"code": self.code, "message": self.message, "errors": [item]}}


def bad_request(message: str, violations: list[FieldViolation] | None = None) -> ApiError:
    """A 400 INVALID_ARGUMENT error."""
    return ApiError(400, message, violations=list(violations or []))


def not_found(message: str = "Requested entity was not found.") -> ApiError:
    """A 404 NOT_FOUND error, worded as the Sheets API does."""
    return ApiError(404, message)
