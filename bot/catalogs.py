"""Gettext catalogs: each `locales/<locale>/LC_MESSAGES/messages.po` is compiled in memory at start-up.
A catalog that lacks a translation for any msgid of `messages.pot` stops start-up, so users never see
raw msgids."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from importlib.resources import files
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.core.i18n import SUPPORTED_LOCALES


class CatalogError(Exception):
    pass


@dataclass(frozen=True)
class GettextTranslator:
    locale: str
    translations: gettext.GNUTranslations

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)


def locales_dir() -> Path:
    return Path(str(files("locales")))


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def missing_translations(template: Catalog, catalog: Catalog) -> list[str]:
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        strings = (
            ()
            if translated is None
            else (translated.string if isinstance(translated.string, tuple) else (translated.string,))
        )
        if translated is None or translated.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def load_translators(directory: Path | None = None) -> dict[str, GettextTranslator]:
    directory = directory or locales_dir()
    template = read_catalog(directory / "messages.pot")
    translators = {}
    for locale in SUPPORTED_LOCALES:
        po_path = directory / locale / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            raise CatalogError(f"catalog missing: {po_path}")
        catalog = read_catalog(po_path, locale)
        missing = missing_translations(template, catalog)
        if missing:
            raise CatalogError(
                f"{po_path} lacks {len(missing)} translation(s), e.g. {missing[0]!r}; "
                "run `pybabel update` and translate them"
            )
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        translators[locale] = GettextTranslator(locale, gettext.GNUTranslations(buffer))
    return translators
