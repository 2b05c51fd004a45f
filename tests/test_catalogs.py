"""Every user-facing string reaches users translated: the template matches the code, both catalogs translate
every msgid with the same placeholders, and a gap stops start-up."""

from __future__ import annotations

import shutil
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from bot.catalogs import CatalogError, load_translators, locales_dir, read_catalog

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ("id", "en")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
EXTRACT_COMMAND = (
    "pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k N_ --no-location --sort-output "
    '--project p2k2-bot --copyright-holder "P2K2 bot authors" -o locales/messages.pot .'
)

MessageId = str | tuple[str, ...]
Field = str | tuple[str, ...] | list[str] | None  # Babel's Message.id / Message.string


def _template() -> Catalog:
    return read_catalog(locales_dir() / "messages.pot")


def _catalog(locale: str) -> Catalog:
    return read_catalog(locales_dir() / locale / "LC_MESSAGES" / "messages.po", locale)


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(text) if field is not None}


def _forms(value: Field) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value or ())


@pytest.mark.parametrize("locale", LOCALES)
def test_every_msgid_is_translated_with_the_same_placeholders(locale: str) -> None:
    catalog = _catalog(locale)
    untranslated, wrong = [], []
    for message in _template():
        if not message.id:
            continue
        expected = set().union(*(_placeholders(form) for form in _forms(message.id)))
        translated = catalog.get(message.id)
        forms = _forms(translated.string) if translated is not None else ()
        if translated is None or translated.fuzzy or not forms or not all(forms):
            untranslated.append(message.id)
            continue
        for form in forms:
            try:
                found = _placeholders(form)
            except ValueError as exc:  # an unbalanced brace would crash str.format at run time
                wrong.append(f"{message.id!r} -> {form!r}: {exc}")
                continue
            if found != expected:
                wrong.append(f"{message.id!r} -> {form!r}: has {sorted(found)}, needs {sorted(expected)}")
    assert untranslated == [], f"{locale}: untranslated or fuzzy: {untranslated}"
    assert wrong == [], f"{locale}: placeholders differ:\n" + "\n".join(wrong)


def test_the_template_is_up_to_date_with_the_code() -> None:
    in_code: set[MessageId] = set()
    for package in ("bot", "handlers", "scheduler"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            in_code.add(message if isinstance(message, str) else tuple(message))
    in_template: set[MessageId] = {
        message.id if isinstance(message.id, str) else tuple(message.id)
        for message in _template()
        if message.id
    }
    missing = sorted(map(str, in_code - in_template))
    extra = sorted(map(str, in_template - in_code))
    assert (missing, extra) == ([], []), (
        f"locales/messages.pot is out of date.\nIn the code but not the template: {missing}\n"
        f"In the template but no longer in the code: {extra}\n"
        f"Run, from the project root:\n  {EXTRACT_COMMAND}\nthen `pybabel update` and translate (README.md)."
    )


def test_a_blank_translation_stops_start_up_naming_the_catalog(tmp_path: Path) -> None:
    copy = tmp_path / "locales"
    shutil.copytree(locales_dir(), copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    po_path = copy / "id" / "LC_MESSAGES" / "messages.po"
    catalog = read_catalog(po_path, "id")
    catalog["Main menu. Choose one:"].string = ""
    with po_path.open("wb") as handle:
        write_po(handle, catalog)

    with pytest.raises(CatalogError) as caught:
        load_translators(copy)

    assert str(po_path) in str(caught.value)
    assert "Main menu. Choose one:" in str(caught.value)


def test_translators_speak_indonesian_and_english() -> None:
    translators = load_translators()
    assert set(translators) == set(LOCALES)
    assert translators["id"].gettext("Main menu. Choose one:") == "Menu utama. Silakan pilih:"
    assert translators["en"].gettext("Main menu. Choose one:") == "Main menu. Choose one:"
    assert translators["id"].ngettext("{count} member", "{count} members", 3).format(count=3) == "3 anggota"
    assert translators["en"].ngettext("{count} member", "{count} members", 1).format(count=1) == "1 member"
