"""``sheetops serve``: the Friday sync as a web service, for the "sheetops" menu in Google Sheets.

The spreadsheet's bound Apps Script (``sheetops/appsscript/``) posts the spreadsheet's id,
the user's own OAuth access token and an identity token. The service checks who is
calling (:mod:`.callers`), then runs the very same :func:`sheetops.api.sync` (or
:func:`~sheetops.api.check`) through the Google backend with the caller's access token as
its credentials: the result is what ``sheetops sync URL`` gives, and the service, which
holds no Google credentials of its own, can never touch a spreadsheet the caller cannot
already edit. See docs/serve.md.

Starlette and uvicorn are imported only here and only when serving (``sheetops[serve]``).
"""

from __future__ import annotations

from sheetops.serve.config import ServeConfig

__all__ = ["ServeConfig", "run"]


def run(config: ServeConfig, *, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve until stopped (Ctrl-C, or SIGTERM as Cloud Run sends it)."""
    from sheetops.serve.app import build_app, require_serve_libraries

    require_serve_libraries()
    import uvicorn

    uvicorn.run(build_app(config), host=host, port=port, log_config=None, access_log=False,
                proxy_headers=True, forwarded_allow_ips="*", server_header=False)
