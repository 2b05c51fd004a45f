"""Settings, read once from the environment and `.env` into a typed object."""

from __future__ import annotations

import os
import re
import socket
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.i18n import SUPPORTED_LOCALES


def data_dir() -> Path:
    """Where the embedded SQLite file and the terminal chat's exports live, whatever the working
    directory: `$XDG_DATA_HOME/p2k2-bot`, by default `~/.local/share/p2k2-bot`."""
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    return (Path(base) if Path(base).is_absolute() else Path.home() / ".local" / "share") / "p2k2-bot"


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{data_dir() / 'p2k2.db'}"


def default_exports_dir() -> Path:
    return data_dir() / "exports"


# Empty in `.env.example` means "use the default in the user's data directory".
_BLANK_IS_DEFAULT = ("DATABASE_URL", "EXPORTS_DIR", "WORKER_ID")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default_factory=default_database_url, alias="DATABASE_URL")
    exports_dir: Path = Field(default_factory=default_exports_dir, alias="EXPORTS_DIR")
    default_timezone: str = Field(default="Asia/Jakarta", alias="DEFAULT_TIMEZONE")
    default_locale: str = Field(default="id", alias="DEFAULT_LOCALE")
    http_host: str = Field(default="127.0.0.1", alias="HTTP_HOST")
    http_port: int = Field(default=8080, ge=1, le=65535, alias="HTTP_PORT")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", alias="LOG_LEVEL")
    log_format: Literal["text", "json"] = Field(default="text", alias="LOG_FORMAT")

    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_bot_username: str | None = Field(default=None, alias="TELEGRAM_BOT_USERNAME")
    telegram_api_url: str = Field(default="https://api.telegram.org", alias="TELEGRAM_API_URL")
    telegram_webhook_url: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: SecretStr | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_rate_limit: int = Field(default=25, ge=1, le=1000, alias="TELEGRAM_RATE_LIMIT")

    whatsapp_access_token: SecretStr | None = Field(default=None, alias="WHATSAPP_ACCESS_TOKEN")
    whatsapp_phone_number_id: str | None = Field(default=None, alias="WHATSAPP_PHONE_NUMBER_ID")
    whatsapp_display_number: str | None = Field(
        default=None, pattern=r"^\d{8,15}$", alias="WHATSAPP_DISPLAY_NUMBER"
    )
    whatsapp_app_secret: SecretStr | None = Field(default=None, alias="WHATSAPP_APP_SECRET")
    whatsapp_verify_token: SecretStr | None = Field(default=None, alias="WHATSAPP_VERIFY_TOKEN")
    whatsapp_api_url: str = Field(default="https://graph.facebook.com/v23.0", alias="WHATSAPP_API_URL")
    whatsapp_template_reminder: str | None = Field(default=None, alias="WHATSAPP_TEMPLATE_REMINDER")
    whatsapp_template_broadcast: str | None = Field(default=None, alias="WHATSAPP_TEMPLATE_BROADCAST")
    whatsapp_template_nudge: str | None = Field(default=None, alias="WHATSAPP_TEMPLATE_NUDGE")
    whatsapp_template_meeting_change: str | None = Field(
        default=None, alias="WHATSAPP_TEMPLATE_MEETING_CHANGE"
    )
    whatsapp_template_meeting_cancel: str | None = Field(
        default=None, alias="WHATSAPP_TEMPLATE_MEETING_CANCEL"
    )
    whatsapp_template_language: str = Field(default="id", alias="WHATSAPP_TEMPLATE_LANGUAGE")
    whatsapp_rate_limit: int = Field(default=60, ge=1, le=1000, alias="WHATSAPP_RATE_LIMIT")

    reminder_offsets: str = Field(default="1d,2h", alias="REMINDER_OFFSETS")
    quiet_hours: str = Field(default="21:00-06:00", alias="QUIET_HOURS")
    nudge_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = Field(
        default="mon", alias="NUDGE_DAY"
    )
    nudge_hour: int = Field(default=8, ge=0, le=23, alias="NUDGE_HOUR")
    claim_code_days: int = Field(default=7, ge=1, le=90, alias="CLAIM_CODE_DAYS")
    rate_limit_storage: str = Field(default="memory://", alias="RATE_LIMIT_STORAGE")
    worker_id: str = Field(default_factory=socket.gethostname, min_length=1, max_length=48, alias="WORKER_ID")
    reply_max_age_minutes: int = Field(default=15, ge=1, le=24 * 60, alias="REPLY_MAX_AGE_MINUTES")

    @model_validator(mode="before")
    @classmethod
    def _blank_is_default(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (k in _BLANK_IS_DEFAULT and v == "")}
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object, info: ValidationInfo) -> object:
        # `.env.example` lists optional settings with empty values; empty means "not set".
        return None if value == "" and info.field_name in _OPTIONAL else value

    @field_validator("reminder_offsets")
    @classmethod
    def _offsets(cls, value: str) -> str:
        parse_offsets(value)
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        parse_quiet_hours(value)
        return value

    @field_validator("nudge_day", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _channels_complete(self) -> Settings:
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            raise ValueError("TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set")
        if self.telegram_webhook_secret and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", self.telegram_webhook_secret.get_secret_value()
        ):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and - only")
        if bool(self.whatsapp_access_token) != bool(self.whatsapp_phone_number_id):
            raise ValueError("WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID must be set together")
        if self.whatsapp_access_token and not (self.whatsapp_app_secret and self.whatsapp_verify_token):
            raise ValueError("WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN are required with WhatsApp")
        return self

    @property
    def offsets(self) -> list[timedelta]:
        return parse_offsets(self.reminder_offsets)

    @property
    def quiet(self) -> tuple[time, time] | None:
        return parse_quiet_hours(self.quiet_hours)

    def secrets(self) -> list[str]:
        """Secret values, so logging can mask them wherever they appear."""
        values = (
            self.telegram_bot_token,
            self.telegram_webhook_secret,
            self.whatsapp_access_token,
            self.whatsapp_app_secret,
            self.whatsapp_verify_token,
        )
        return [v.get_secret_value() for v in values if v is not None]

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use e.g. Asia/Jakarta)") from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("exports_dir")
    @classmethod
    def _exports(cls, value: Path) -> Path:
        return value.expanduser()


_OPTIONAL = {name for name, f in Settings.model_fields.items() if f.default is None}
_OFFSET = re.compile(r"^(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_offsets(value: str) -> list[timedelta]:
    """ "1d,2h,30m" -> [1 day, 2 hours, 30 minutes] (before a meeting)."""
    offsets = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        match = _OFFSET.match(part)
        if not match or int(match[1]) == 0:
            raise ValueError(f"{part!r} is not an offset like 1d, 2h or 30m")
        offsets.append(timedelta(**{_UNITS[match[2]]: int(match[1])}))
    return sorted(set(offsets), reverse=True)


def parse_quiet_hours(value: str) -> tuple[time, time] | None:
    """ "21:00-06:00" -> (21:00, 06:00); empty disables quiet hours."""
    if not value.strip():
        return None
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", value)
    if not match:
        raise ValueError(f"{value!r} is not a range like 21:00-06:00")
    start_h, start_m, end_h, end_m = (int(g) for g in match.groups())
    if start_h > 23 or end_h > 23 or start_m > 59 or end_m > 59 or (start_h, start_m) == (end_h, end_m):
        raise ValueError(f"{value!r} is not a range like 21:00-06:00")
    return time(start_h, start_m), time(end_h, end_m)


class SettingsError(Exception):
    """A setting has an invalid value; the message names the variable and never echoes secrets."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            if not error["loc"]:  # a rule across settings: its message names the variables
                lines.append(error["msg"].removeprefix("Value error, "))
                continue
            field = str(error["loc"][0])
            alias = Settings.model_fields[field].alias if field in Settings.model_fields else field
            lines.append(f"{alias or field.upper()}: {error['msg']}")
        raise SettingsError("invalid setting(s):\n  " + "\n  ".join(lines)) from None
