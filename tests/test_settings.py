import pytest

from bot.settings import Settings, SettingsError, load_settings


def test_defaults_are_the_embedded_ones(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("DATABASE_URL", "DEFAULT_TIMEZONE", "DEFAULT_LOCALE", "HTTP_HOST", "HTTP_PORT", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    s = load_settings()
    assert s.database_url == "sqlite+aiosqlite:///data/p2k2.db"
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


def test_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEFAULT_TIMEZONE", raising=False)
    (tmp_path / ".env").write_text("DEFAULT_TIMEZONE=Asia/Jayapura\n")
    assert Settings().default_timezone == "Asia/Jayapura"
