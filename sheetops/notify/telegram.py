"""Finding people's Telegram chat ids: a bot reaches a person by id, people know their @name.

After a person opens the chat with the bot and presses Start, the bot's pending updates
(Telegram's ``getUpdates``) carry that chat: its id and the person's @name.
:func:`find_chats` reads them, so that ``sheetops notify setup telegram --find-chats``
can fill ``[telegram.chats]`` and a Contact cell can simply say ``@anna_k``.
"""

from __future__ import annotations

from typing import Any

from sheetops.errors import BackendError, MissingExtraError

API = "https://api.telegram.org"


def find_chats(bot_token: str, *, timeout: float = 10.0) -> dict[str, str]:
    """The @names (without @, case-folded) and chat ids of everyone who has written to the bot lately."""
    try:
        import requests
    except ImportError:
        raise MissingExtraError('notifications need extra packages (requests is missing); install them with: '
                                'pip install "sheetops[notify]"') from None
    try:
        answer = requests.get(f"{API}/bot{bot_token}/getUpdates", timeout=timeout)
    except requests.RequestException as exc:
        raise BackendError(f"cannot reach Telegram ({type(exc).__name__}); check the network and try again.") from None
    if answer.status_code in (401, 404):
        raise BackendError("Telegram does not know this bot token; copy it again from @BotFather "
                           "(/mybots > your bot > API Token).")
    try:
        data = answer.json()
    except ValueError:
        data = None
    if not isinstance(data, dict) or not data.get("ok"):
        raise BackendError(f"Telegram answered {answer.status_code} without the bot's updates; try again later.")
    return chats_in(data.get("result", []))


def chats_in(updates: Any) -> dict[str, str]:
    """Each chat with an @name in a list of Telegram updates (messages, joins, button presses)."""
    found: dict[str, str] = {}
    for update in updates if isinstance(updates, list) else ():
        if not isinstance(update, dict):
            continue
        for value in update.values():
            chat = value.get("chat") if isinstance(value, dict) else None
            if isinstance(chat, dict) and chat.get("username") and chat.get("id") is not None:
                found[str(chat["username"]).casefold()] = str(chat["id"])
    return found
