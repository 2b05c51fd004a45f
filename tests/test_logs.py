import json
import logging

from bot.logs import JsonFormatter, SecretMask, TextFormatter


def _record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("bot", logging.INFO, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def test_json_lines_carry_context_as_fields() -> None:
    line = JsonFormatter().format(_record("sent %s", "ok", user_id=42, channel="telegram"))
    entry = json.loads(line)
    assert entry["message"] == "sent ok" and entry["user_id"] == 42 and entry["channel"] == "telegram"


def test_text_lines_are_readable() -> None:
    line = TextFormatter().format(_record("sent", user_id=42))
    assert "INFO" in line and line.endswith("[user_id=42]")


def test_secrets_are_masked_in_messages_and_tracebacks() -> None:
    token = "123456:ABC-secret-token"
    mask = SecretMask([token])
    record = _record("calling https://api/bot%s/getMe", token)
    try:
        raise RuntimeError(f"failed for {token}")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    mask.filter(record)
    line = JsonFormatter().format(record)
    assert token not in line and "***" in line
