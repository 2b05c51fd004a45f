"""Long lists shown a page at a time, so that every screen fits one WhatsApp list (10 rows, platforms.md
§2.4) and a 30-member kelompok is not a wall of text on every tap.

The handler that owns the list pages it: it knows what the list is, and its button ids carry the page
number (for example "attend:m:<meeting>:<page>"), so turning a page needs no stored state. A page holds
the fixed buttons before the items (e.g. "Semua hadir"), the page's items, "‹ Sebelumnya" / "Berikutnya ›"
when there is a page before or after, and the fixed buttons after (e.g. "Selesai")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.messages import Button

MAX_CHOICES = 10  # rows in one WhatsApp list message, across sections
NAV_BUTTONS = 2  # room kept for "‹ Sebelumnya" and "Berikutnya ›"


@dataclass(frozen=True)
class Page:
    """Page `number` (1-based) of `pages`; its items are `items[start:stop]`."""

    number: int
    pages: int
    start: int
    stop: int


def page_size(fixed: int) -> int:
    """Items per page when `fixed` buttons are shown on every page besides the two page buttons."""
    return max(MAX_CHOICES - NAV_BUTTONS - fixed, 1)


def page_of(count: int, number: int, size: int) -> Page:
    """The page `number` of `count` items, clamped to the pages there are (an old button stays usable)."""
    pages = max((count + size - 1) // size, 1)
    number = min(max(number, 1), pages)
    start = (number - 1) * size
    return Page(number, pages, start, min(start + size, count))


def paged_buttons(
    page: Page,
    items: Sequence[Button],
    nav_id: Callable[[int], str],
    previous: str,
    following: str,
    before: Sequence[Button] = (),
    after: Sequence[Button] = (),
) -> tuple[Button, ...]:
    """The page's buttons: `before`, the items, the page buttons (ids from `nav_id(page number)`, labels
    `previous` and `following`, already translated), then `after`."""
    nav = []
    if page.number > 1:
        nav.append(Button(nav_id(page.number - 1), previous))
    if page.number < page.pages:
        nav.append(Button(nav_id(page.number + 1), following))
    return (*before, *items[page.start : page.stop], *nav, *after)
