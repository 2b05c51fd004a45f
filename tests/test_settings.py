from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings


def test_defaults_are_the_embedded_ones(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("DATABASE_URL", "DEFAULT_TIMEZONE", "DEFAULT_LOCALE", "HTTP_HOST", "HTTP_PORT", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    s = load_settings()
    assert s.database_url == f"sqlite+aiosqlite:///{tmp_path}/share/p2k2-bot/p2k2.db"
    assert (s.default_timezone, s.default_locale, s.http_host, s.http_port) == (
        "Asia/Jakarta",
        "id",
        "127.0.0.1",
        8080,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEFAULT_TIMEZONE", "Asia/Atlantis"),
        ("HTTP_PORT", "eighty"),
        ("DEFAULT_LOCALE", "fr"),
        ("LOG_LEVEL", "loud"),
        ("DATABASE_URL", "mysql://x"),
    ],
)
def test_an_invalid_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()


def test_the_database_does_not_depend_on_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("DATABASE_URL", "EXPORTS_DIR", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    urls = set()
    for folder in (tmp_path / "a", tmp_path / "b"):
        folder.mkdir()
        monkeypatch.chdir(folder)
        urls.add((load_settings().database_url, load_settings().exports_dir))
    assert urls == {
        (
            f"sqlite+aiosqlite:///{tmp_path}/home/.local/share/p2k2-bot/p2k2.db",
            tmp_path / "home/.local/share/p2k2-bot/exports",
        )
    }


def test_blank_database_and_exports_in_dotenv_mean_the_data_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "EXPORTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("EXPORTS_DIR", "")
    (tmp_path / ".env").write_text("DATABASE_URL=\n")
    s = load_settings()
    assert s.database_url == f"sqlite+aiosqlite:///{tmp_path}/xdg/p2k2-bot/p2k2.db"
    assert s.exports_dir == tmp_path / "xdg" / "p2k2-bot" / "exports"


def test_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEFAULT_TIMEZONE", raising=False)
    (tmp_path / ".env").write_text("DEFAULT_TIMEZONE=Asia/Jayapura\n")
    assert Settings().default_timezone == "Asia/Jayapura"


def test_env_example_lists_every_setting_with_a_working_default(monkeypatch: pytest.MonkeyPatch) -> None:
    example = Path(__file__).resolve().parents[1] / ".env.example"
    names = {
        line.split("=", 1)[0]
        for line in example.read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert names == {field.alias for field in Settings.model_fields.values()}
    for name in names:
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=example)  # type: ignore[call-arg]
    assert settings.telegram_bot_token is None and settings.whatsapp_access_token is None
    assert settings.secrets() == []


def test_env_example_lists_each_setting_once() -> None:
    example = Path(__file__).resolve().parents[1] / ".env.example"
    names = [
        line.split("=", 1)[0]
        for line in example.read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert sorted(names) == sorted(set(names))


def test_channel_settings_must_be_complete(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram/webhook")
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET is required"):
        load_settings()
    monkeypatch.delenv("TELEGRAM_WEBHOOK_URL")
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "EAAG-token")
    with pytest.raises(SettingsError, match="WHATSAPP_PHONE_NUMBER_ID"):
        load_settings()


@pytest.mark.parametrize(("value", "hours"), [("1d,2h", [24, 2]), ("30m", [0.5]), ("2h, 1d, 2h", [24, 2])])
def test_reminder_offsets(monkeypatch: pytest.MonkeyPatch, value: str, hours: list[float]) -> None:
    monkeypatch.setenv("REMINDER_OFFSETS", value)
    assert [o.total_seconds() / 3600 for o in load_settings().offsets] == hours


@pytest.mark.parametrize("value", ["1w", "0h", "2 hours", "-1d"])
def test_bad_reminder_offsets_name_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("REMINDER_OFFSETS", value)
    with pytest.raises(SettingsError, match="REMINDER_OFFSETS"):
        load_settings()


def test_quiet_hours_empty_disables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIET_HOURS", "")
    assert load_settings().quiet is None
    monkeypatch.setenv("QUIET_HOURS", "22:00-25:00")
    with pytest.raises(SettingsError, match="QUIET_HOURS"):
        load_settings()
