"""Features, written once against channel-neutral types. Handlers import only `bot.core`."""

from __future__ import annotations

from bot.core.router import Router
from handlers import fallback, groups, lessons, meetings, menu, settings


def build_router() -> Router:
    router = Router()
    for feature in (menu, lessons, meetings, groups, settings, fallback):
        router.include(feature.router)
    return router
