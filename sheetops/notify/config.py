"""The notification settings: where the secrets live (never in the workbook).

One TOML file per user, ``notify.toml`` in sheetops' configuration folder
(``~/.config/sheetops`` on Linux, ``~/Library/Application Support/sheetops`` on macOS,
``%APPDATA%\\sheetops`` on Windows), or the file ``SHEETOPS_NOTIFY_CONFIG`` names::

    [email]                       # the server that sends e-mail
    server = "smtp.company.com"
    port = 587
    security = "starttls"         # starttls, ssl or none
    user = "reports@company.com"
    password = "..."
    from = "reports@company.com"

    [telegram]
    bot_token = "123456789:AA..."
    [telegram.chats]              # a person's chat id for their @name: a bot reaches a person only by id
    anna_k = 123456789

    [destinations]                # named addresses a Contact cell may name, tokens and all
    team-slack = "slack://T000/B000/XXXX/#marketing"

    [failure]
    also_notify = ["it@company.com"]   # besides the CMO, when a scheduled run fails

sheetops writes the file readable by its owner only (0600) and refuses one that other
users of the computer can read, since it holds passwords. Every value that is a secret is
masked (``***``) wherever sheetops shows or logs a text (:meth:`NotifyConfig.mask`).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from sheetops.errors import ConfigError

CONFIG_ENV = "SHEETOPS_NOTIFY_CONFIG"
CONFIG_FILE = "notify.toml"
DOCS = "docs/notifications.md"
MASK = "***"
Security = Literal["starttls", "ssl", "none"]
SECURITY: tuple[Security, ...] = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class EmailSettings:
    """The SMTP server that sends e-mail, and who it is from."""

    server: str
    port: int = 587
    security: Security = "starttls"
    user: str | None = None
    password: str | None = None
    sender: str | None = None  # "from"; the user when it is an address

    @property
    def from_address(self) -> str | None:
        if self.sender:
            return self.sender
        return self.user if self.user and "@" in self.user else None


@dataclass(frozen=True)
class TelegramSettings:
    """The Telegram bot sheetops speaks through, and the chat ids of people's @names."""

    bot_token: str
    chats: Mapping[str, str] = field(default_factory=dict)  # name without @, case-folded -> chat id


@dataclass(frozen=True)
class NotifyConfig:
    """The notification settings as read from the file (or empty when there is none)."""

    path: Path | None = None
    email: EmailSettings | None = None
    telegram: TelegramSettings | None = None
    destinations: Mapping[str, str] = field(default_factory=dict)  # name, case-folded -> apprise URL
    also_on_failure: tuple[str, ...] = ()

    def secrets(self) -> tuple[str, ...]:
        """Every text that must never be shown: passwords, tokens, destination addresses and their parts."""
        found: list[str] = []
        if self.email is not None and self.email.password:
            found.append(self.email.password)
        if self.telegram is not None:
            found.append(self.telegram.bot_token)
            found += self.telegram.bot_token.split(":")[1:]  # the part after the bot's id alone is the key
        for url in self.destinations.values():
            found += [url, *url_secrets(url)]
        return tuple(sorted({s for s in found if len(s) >= 4}, key=len, reverse=True))

    def mask(self, text: str) -> str:
        """The text with every secret (as typed, or URL-encoded) replaced by ``***``."""
        return mask(text, self.secrets())

    def destination(self, name: str) -> str | None:
        return self.destinations.get(name.casefold())


def url_secrets(url: str) -> list[str]:
    """The parts of an address that may be keys: its password, path segments and query values."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    found = [parts.password or "", parts.username or "", parts.netloc]
    found += [unquote(s) for s in parts.path.split("/") if len(s) >= 6]
    found += [value for _, value in parse_qsl(parts.query) if len(value) >= 6]
    return [f for f in found if f]


def mask(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        for form in {secret, quote(secret, safe=""), quote(secret, safe="/:")}:
            if form:
                text = text.replace(form, MASK)
    return text


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The settings file: ``SHEETOPS_NOTIFY_CONFIG``, else notify.toml in sheetops' configuration folder."""
    env = os.environ if environ is None else environ
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser()
    import click

    return Path(click.get_app_dir("sheetops")) / CONFIG_FILE


def readable_by_others(path: Path) -> bool:
    """Whether other users of the computer can read the file (POSIX permissions only)."""
    if os.name != "posix":
        return False
    try:
        return bool(stat.S_IMODE(path.stat().st_mode) & 0o077)
    except OSError:
        return False


def load_config(path: Path | None = None, *, required: bool = False) -> NotifyConfig:
    """The settings in ``path`` (default :func:`config_path`); empty settings when there is no
    file, unless ``required``. A file other users can read, or one that cannot be read, is
    refused with :class:`~sheetops.errors.ConfigError`, whose message says what to do."""
    path = path or config_path()
    if not path.exists():
        if required:
            raise ConfigError(f"there are no notification settings in {path}; set them up with "
                              f"`sheetops notify setup email` or `sheetops notify setup telegram` (see {DOCS}).")
        return NotifyConfig(path=path)
    if readable_by_others(path):
        raise ConfigError(f"the notification settings {path} can be read by other users of this computer and "
                          f"hold passwords, so sheetops does not use them; run: chmod 600 {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not text"
        raise ConfigError(f"cannot read the notification settings {path}: {reason}; check the file.") from None
    return parse_config(text, path)


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:
        import tomli
    except ImportError:  # pragma: no cover - Python 3.10 without the extra
        from sheetops.errors import MissingExtraError

        raise MissingExtraError('notifications need extra packages; install them with: pip install '
                                '"sheetops[notify]"') from None
    return tomli


def parse_config(text: str, path: Path | None = None) -> NotifyConfig:
    """Settings from the file's text; a mistake is a ConfigError naming the key and the fix."""
    where = str(path) if path else CONFIG_FILE
    toml = _toml()
    try:
        data = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        # The parser's message names the line; it never quotes a value.
        raise ConfigError(f"{where} is not a valid settings file ({exc}); fix it or set it up again with "
                          f"`sheetops notify setup` (see {DOCS}).") from None

    def table(name: str) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: [{name}] must be a section; see {DOCS}.")
        return value

    def text_of(section: str, values: Mapping[str, Any], key: str, required: bool = False) -> str | None:
        value = values.get(key)
        if value is None or value == "":
            if required:
                raise ConfigError(f"{where}: [{section}] has no {key}; add it, or run `sheetops notify setup "
                                  f"{section}` (see {DOCS}).")
            return None
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise ConfigError(f"{where}: [{section}] {key} must be text in quotes; see {DOCS}.")
        return str(value)

    email = None
    if "email" in data:
        section = table("email")
        port_text = text_of("email", section, "port") or "587"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigError(f"{where}: [email] port must be a number such as 587 or 465; see {DOCS}.")
        security = (text_of("email", section, "security") or "starttls").lower()
        if security not in SECURITY:
            raise ConfigError(f"{where}: [email] security must be one of starttls, ssl, none; see {DOCS}.")
        email = EmailSettings(
            server=text_of("email", section, "server", required=True) or "",
            port=int(port_text),
            security=security,
            user=text_of("email", section, "user"),
            password=text_of("email", section, "password"),
            sender=text_of("email", section, "from"),
        )
    telegram = None
    if "telegram" in data:
        section = table("telegram")
        token = text_of("telegram", section, "bot_token", required=True) or ""
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", token):
            raise ConfigError(f"{where}: [telegram] bot_token is not a bot token (digits, a colon, then letters, "
                              f"as @BotFather gives it); see {DOCS}.")
        chats = section.get("chats", {})
        if not isinstance(chats, dict):
            raise ConfigError(f"{where}: [telegram.chats] must be a section of name = chat id; see {DOCS}.")
        telegram = TelegramSettings(token, {str(k).lstrip("@").casefold(): str(v) for k, v in chats.items()})
    destinations = {}
    for name, url in table("destinations").items():
        if not isinstance(url, str) or "://" not in url:
            raise ConfigError(f"{where}: [destinations] {name} must be an address in quotes, such as "
                              f'"slack://..." or "json://host/path"; see {DOCS}.')
        destinations[str(name).casefold()] = url
    failure = table("failure")
    also = failure.get("also_notify", [])
    if isinstance(also, str):
        also = [also]
    if not isinstance(also, list) or not all(isinstance(a, str) for a in also):
        raise ConfigError(f'{where}: [failure] also_notify must be a list of contacts, e.g. ["it@company.com"].')
    return NotifyConfig(path, email, telegram, destinations, tuple(also))


# -- writing --------------------------------------------------------------------------------------


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c >= " " or c == "\t" else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _quoted(name)


def render_config(config: NotifyConfig) -> str:
    """The settings as the TOML text :func:`parse_config` reads back."""
    lines = ["# sheetops notification settings: passwords and tokens live here, never in the workbook.",
             f"# Keep this file private (chmod 600). See {DOCS}.", ""]
    if config.email is not None:
        e = config.email
        lines += ["[email]", f"server = {_quoted(e.server)}", f"port = {e.port}", f"security = {_quoted(e.security)}"]
        lines += [f"{k} = {_quoted(v)}" for k, v in (("user", e.user), ("password", e.password), ("from", e.sender))
                  if v]
        lines.append("")
    if config.telegram is not None:
        lines += ["[telegram]", f"bot_token = {_quoted(config.telegram.bot_token)}", ""]
        if config.telegram.chats:
            lines += ["[telegram.chats]", *(f"{_key(k)} = {_quoted(v)}" for k, v in config.telegram.chats.items()),
                      ""]
    if config.destinations:
        lines += ["[destinations]", *(f"{_key(k)} = {_quoted(v)}" for k, v in config.destinations.items()), ""]
    if config.also_on_failure:
        lines += ["[failure]", "also_notify = [" + ", ".join(_quoted(a) for a in config.also_on_failure) + "]", ""]
    return "\n".join(lines)


def save_config(config: NotifyConfig, path: Path | None = None) -> Path:
    """Write the settings readable by their owner only (0600), replacing the file in one step."""
    path = path or config.path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(f".{path.name}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(render_config(config))
    os.replace(temp, path)
    return path


def with_changes(config: NotifyConfig, **changes: Any) -> NotifyConfig:
    return replace(config, **changes)


def describe(config: NotifyConfig) -> dict[str, Any]:
    """The settings for people and --json: what is set up, every secret masked."""
    email = config.email
    telegram = config.telegram
    return {
        "path": str(config.path) if config.path else None,
        "email": None if email is None else {
            "server": email.server, "port": email.port, "security": email.security, "user": email.user,
            "password": MASK if email.password else None, "from": email.from_address,
        },
        "telegram": None if telegram is None else {
            "bot_token": telegram.bot_token.split(":")[0] + ":" + MASK, "chats": dict(telegram.chats),
        },
        "destinations": {name: config.mask(url) for name, url in config.destinations.items()},
        "failure": {"also_notify": list(config.also_on_failure)},
    }
