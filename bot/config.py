"""Start-up checks of the Telegram settings: fail early, with a message an operator can act on."""

from __future__ import annotations

import re

from app.settings import TelegramSettings

# BotFather tokens: the bot's numeric id, a colon, then 35 URL-safe characters today.
TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
CHANNEL = "telegram"


class BotConfigError(Exception):
    """The bot cannot start with this configuration; the message says what to fix."""


def check_token(token: str) -> str:
    token = token.strip()
    if not token:
        raise BotConfigError(
            "TELEGRAM_TOKEN is not set: create a bot with @BotFather and put its token in "
            "the environment or .env (TELEGRAM_TOKEN=123456:ABC...)"
        )
    if not TOKEN_PATTERN.match(token):
        raise BotConfigError(
            "TELEGRAM_TOKEN does not look like a bot token (expected '<digits>:<30+ letters, "
            "digits, _ or ->', as given by @BotFather); check for quotes or spaces"
        )
    return token


def api_urls(settings: TelegramSettings) -> tuple[str, str]:
    """(base_url, base_file_url) for PTB. `TELEGRAM_API_BASE` may be the server root
    (`http://127.0.0.1:8081`) or PTB's form ending in `/bot`; the file URL follows it."""
    base = settings.api_base.rstrip("/")
    default_base = "https://api.telegram.org/bot"
    if not base.endswith("/bot"):
        base = f"{base}/bot"
    file_base = settings.file_base.rstrip("/")
    if base != default_base and file_base == "https://api.telegram.org/file/bot":
        file_base = base[: -len("/bot")] + "/file/bot"
    return base, file_base


def check_webhook(settings: TelegramSettings) -> None:
    if settings.mode not in ("polling", "webhook"):
        raise BotConfigError(
            f"TELEGRAM__MODE must be 'polling' or 'webhook', not {settings.mode!r}"
        )
    if settings.mode == "webhook":
        if not settings.webhook_url:
            raise BotConfigError("webhook mode needs TELEGRAM__WEBHOOK_URL (the public https URL)")
        secret = settings.webhook_secret.get_secret_value()
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
            raise BotConfigError(
                "webhook mode needs TELEGRAM__WEBHOOK_SECRET: 16-256 characters of A-Z, a-z, "
                "0-9, _ and - (Telegram sends it back in every request)"
            )
        if not settings.webhook_path.startswith("/"):
            raise BotConfigError("TELEGRAM__WEBHOOK_PATH must start with '/'")
