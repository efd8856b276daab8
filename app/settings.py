"""One settings model, read from the environment (and `.env`), validated at start-up.

Nested sections use a double underscore: `TELEGRAM__TOKEN`, `PLATFORM__MODE`. A few flat
aliases that operators expect are honoured too: `DATABASE_URL`, `TELEGRAM_TOKEN`,
`TELEGRAM_API_BASE`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.setting_types import (
    DEFAULT_DATABASE_URL,
    ConfigError,
    check_clock_time,
    check_data_key,
    check_data_keys,
    check_database_url,
    check_http_url,
    check_optional_http_url,
    check_url_path,
    check_zone,
)

# Typed values: a wrong one is named at start-up (see load_settings), never a traceback later.
Port = Annotated[int, Field(ge=1, le=65535)]
PortOrOff = Annotated[int, Field(ge=0, le=65535)]  # 0: that server is off
HttpUrl = Annotated[str, AfterValidator(check_http_url)]
OptionalHttpUrl = Annotated[str, AfterValidator(check_optional_http_url)]
PositiveInt = Annotated[int, Field(gt=0)]
PositiveFloat = Annotated[float, Field(gt=0)]
Seconds = Annotated[float, Field(ge=0)]
Count = Annotated[int, Field(ge=0)]
LogLevel = Annotated[
    Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
    BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
]
LogFormat = Annotated[
    Literal["text", "json"],
    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
]


__all__ = ["ConfigError", "Settings", "load_settings"]

ClockTime = Annotated[str, AfterValidator(check_clock_time)]


class DatabaseSettings(BaseModel):
    # Embedded default: a SQLite file under data/. At scale: postgresql+asyncpg://...
    url: Annotated[str, AfterValidator(check_database_url)] = DEFAULT_DATABASE_URL
    # PostgreSQL only: the schema the tables live in (search_path), when not the default one.
    schema_name: str = ""


class S3Settings(BaseModel):
    """An S3-compatible bucket for FILES__BACKEND=s3 (FILES__S3__BUCKET, ...)."""

    endpoint_url: OptionalHttpUrl = (
        ""  # empty: the provider's default; MinIO, Ceph: http://host:9000
    )
    bucket: str = ""
    prefix: str = "files/"  # object keys are prefix + ab/cd/<address>
    region: str = "us-east-1"
    access_key_id: SecretStr = SecretStr("")
    secret_access_key: SecretStr = SecretStr("")
    addressing_style: Literal["path", "virtual", "auto"] = "path"


class FileSettings(BaseModel):
    # Where the encrypted files live (cases.blobs): this machine's folder (one machine), the
    # deployment's PostgreSQL database, or an S3-compatible bucket (several machines).
    backend: Literal["local", "postgresql", "s3"] = "local"
    dir: Path = Path("data/files")  # the local backend's folder; staging for the others
    s3: S3Settings = Field(default_factory=S3Settings)
    max_bytes: PositiveInt = 20 * 1024 * 1024  # the Bot API's own download limit
    retention_days: PositiveInt = 180  # photos of closed cases are purged after this


class SecuritySettings(BaseModel):
    # Key for ID and phone numbers at rest. Empty: the embedded default creates data/secret.key.
    data_key: Annotated[SecretStr, AfterValidator(check_data_key)] = SecretStr("")
    key_file: Path = Path("data/secret.key")
    # During `db rotate-key` with SECURITY__DATA_KEY: the keys before it, comma-separated,
    # readable until the rotation is done (then removed).
    old_data_keys: Annotated[SecretStr, AfterValidator(check_data_keys)] = SecretStr("")


class TelegramSettings(BaseModel):
    token: SecretStr = SecretStr("")
    api_base: HttpUrl = "https://api.telegram.org/bot"
    file_base: HttpUrl = "https://api.telegram.org/file/bot"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: OptionalHttpUrl = ""
    webhook_path: Annotated[str, AfterValidator(check_url_path)] = "/telegram/webhook"
    webhook_secret: SecretStr = SecretStr("")
    listen_host: str = "127.0.0.1"
    listen_port: Port = 8443
    max_messages_per_second: PositiveFloat = 30.0
    max_messages_per_chat_per_second: PositiveFloat = 1.0
    album_wait_seconds: Seconds = 1.0  # an album is complete this long after its last part
    # Several webhook workers on PostgreSQL: an update waits until every older update id has
    # been taken in by some worker (ids are consecutive); one still missing after this long is
    # taken for an update Telegram will not deliver, and passed (bot/shared_intake). Paid only
    # on such a gap, and by a new deployment's first update.
    order_wait_seconds: Seconds = 10.0
    polling_timeout: Annotated[int, Field(ge=0, le=50)] = 25  # getUpdates long-poll seconds
    # Connections to the Bot API for answers (getUpdates has its own). Over aiohttp's pool
    # (bot/transport.py) 4 to 64 cost the same CPU per update on loopback, within the noise
    # (benchmarks/telegram_channel.py --pool N); 16 leaves room for a far server, where a
    # call holds its connection for a round trip (~45 calls/s at Telegram's send limit x
    # 0.3 s = 14 connections).
    connection_pool_size: Annotated[int, Field(ge=1, le=256)] = 16


class PlatformSettings(BaseModel):
    mode: Literal["embedded", "http"] = "embedded"
    url: HttpUrl = "http://127.0.0.1:8780"
    secret: SecretStr = SecretStr("")
    # The platform's own side (`platform serve` for a remote bot): where its events go, by
    # signed callback. Set, the staff commands of this deployment queue events for it too.
    callback_url: OptionalHttpUrl = ""
    # Our callback endpoint's public address (`platform serve --callback-only`): with it, each
    # page of a submission or supplement carries a signed URL the platform fetches it by
    # (GET /v1/pages/...). Empty: pages travel by hash only (a shared file store).
    pages_url: OptionalHttpUrl = ""
    timeout_seconds: PositiveFloat = 10.0
    callback_max_age_seconds: PositiveInt = 300


class OfficeHours(BaseModel):
    # The 2-hour clock runs only inside office hours on working days.
    morning_start: ClockTime = "08:30"
    morning_end: ClockTime = "12:00"
    afternoon_start: ClockTime = "14:30"
    afternoon_end: ClockTime = "18:00"
    timezone: Annotated[str, AfterValidator(check_zone)] = "Asia/Shanghai"

    @model_validator(mode="after")
    def _in_order(self) -> OfficeHours:
        # "08:30" < "12:00": zero-padded HH:MM strings compare as the times do.
        if not (
            self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end
        ):
            raise ValueError("must be in order: morning start < end <= afternoon start < end")
        return self


class ServiceSettings(BaseModel):
    rating_followup_working_days: Count = 5
    online_step_check_days: Count = 3
    reminder_days_before: Count = 90
    region: str = "ejin_horo"
    # Operator-kept data files; unset: the copies shipped in policy/.
    pension_base_file: Path | None = None  # Inner Mongolia's 计发基数 (policy/pension_base.toml)
    contacts_file: Path | None = None  # the offices' addresses, phones, hours (contacts.toml)


class RuntimeSettings(BaseModel):
    # How often a process that does not lead asks for the leader lock again: a leader that
    # dies is replaced within about this long.
    leader_retry_seconds: PositiveFloat = 2.0
    relay_interval_seconds: PositiveFloat = 2.0  # platform outbox, when idle
    aftercare_interval_seconds: PositiveFloat = 30.0  # notices, online-step checks, reminders
    # /healthz, /readyz, /metrics of `main.py run` (runtime/status.py); 0: no status server.
    status_port: PortOrOff = 0
    status_host: str = "127.0.0.1"
    ready_lag_seconds: PositiveFloat = 300.0  # an outbox lagging more is "not ready"
    min_free_disk_mb: PositiveInt = 1024  # `main.py doctor` fails below this under DATA_DIR


class WebSettings(BaseModel):
    """The staff console (`main.py web`)."""

    secure_cookie: bool = False  # true behind TLS: the session cookie is sent over HTTPS only
    idle_minutes: PositiveInt = 30  # a session unused this long has ended
    lockout_failures: PositiveInt = 5  # consecutive wrong passwords that lock an account
    lockout_minutes: PositiveInt = 15  # how long it stays locked (reset-password unlocks at once)
    page_size: Annotated[int, Field(ge=1, le=1000)] = 50  # cases per page of the clerk's queue


class OcrSettings(BaseModel):
    """The ID card read from its photo (issue 18, `integrations/idcard`). On by default: the
    model runs in worker processes beside the bot, started at the first photo, so the bot's
    own memory is the same with it on or off. Off (`OCR__ENABLED=false`), the questions work
    as before and no worker process is ever started."""

    enabled: bool = True
    workers: PositiveInt = 1  # OCR worker processes; each loads the model (~130 MiB) once
    timeout_seconds: PositiveFloat = 20.0  # a reading given up after this: "please type it"
    max_waiting: PositiveInt = 4  # photos being read or waiting; beyond: "please type it"
    threads: Annotated[int, Field(ge=0)] = 0  # onnxruntime threads; 0: every core but one


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_nested_delimiter="__", extra="ignore", env_file_encoding="utf-8"
    )

    data_dir: Path = Path("data")
    log_level: LogLevel = "INFO"
    log_format: LogFormat = "text"  # json: one JSON object per line, masked as ever
    default_language: Literal["zh_CN", "en"] = "zh_CN"  # the folders under locales/
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    files: FileSettings = Field(default_factory=FileSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    office_hours: OfficeHours = Field(default_factory=OfficeHours)
    service: ServiceSettings = Field(default_factory=ServiceSettings)
    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    ocr: OcrSettings = Field(default_factory=OcrSettings)


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, honouring the flat aliases operators know.
    Raises ConfigError naming each bad value (secrets are never echoed)."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError([_line(error) for error in exc.errors()]) from None
    problems = []
    for name, check, apply in _FLAT_ALIASES:
        if value := os.environ.get(name):
            try:
                apply(settings, check(value))
            except ValueError as exc:
                problems.append(f"{name}: {exc}")  # never echoed: it may hold a password
    if problems := problems or _file_backend_problems(settings):
        raise ConfigError(problems)
    return settings


def _set_url(settings: Settings, value: str) -> None:
    settings.database.url = value


def _set_token(settings: Settings, value: str) -> None:
    settings.telegram.token = SecretStr(value)


def _set_api_base(settings: Settings, value: str) -> None:
    settings.telegram.api_base = value


# The flat spellings operators expect, checked as their nested settings are.
_FLAT_ALIASES = (
    ("DATABASE_URL", check_database_url, _set_url),
    ("TELEGRAM_TOKEN", str, _set_token),
    ("TELEGRAM_API_BASE", check_http_url, _set_api_base),
)


def _file_backend_problems(settings: Settings) -> list[str]:
    """What the chosen file backend lacks (checked once the flat aliases are applied)."""
    files = settings.files
    if files.backend == "postgresql" and not settings.database.url.startswith("postgres"):
        return ["FILES__BACKEND='postgresql': needs DATABASE_URL to be a PostgreSQL database"]
    if files.backend != "s3":
        return []
    missing = [
        name
        for name, value in (
            ("BUCKET", files.s3.bucket),
            ("ACCESS_KEY_ID", files.s3.access_key_id.get_secret_value()),
            ("SECRET_ACCESS_KEY", files.s3.secret_access_key.get_secret_value()),
        )
        if not value
    ]
    # Keys are required: without them the client would look for credentials elsewhere,
    # instance metadata on the network included.
    return [f"FILES__S3__{name}: required when FILES__BACKEND='s3'" for name in missing]


def _line(error: object) -> str:
    """`TELEGRAM__LISTEN_PORT=99999: Input should be less than or equal to 65535`."""
    assert isinstance(error, dict)
    name = "__".join(str(part) for part in error.get("loc", ())).upper()
    # Never echoed: secrets, and database addresses (they may hold a password).
    secret = any(word in name for word in ("TOKEN", "SECRET", "KEY", "PASSWORD", "DATABASE"))
    shown = error.get("input")
    plain = isinstance(shown, str | int | float) and not secret
    value = f"={shown!r}" if plain else ""
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{name}{value}: {message}"
