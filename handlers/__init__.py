"""Features, written once against channel-neutral types. Handlers import only `bot.core`."""

from __future__ import annotations

from bot.core.router import Router
from handlers import fallback, groups, lessons, meetings, menu, onboarding, privacy, progress, quiz, settings


def build_router() -> Router:
    router = Router()
    for feature in (menu, onboarding, lessons, quiz, progress, meetings, groups, settings, privacy, fallback):
        router.include(feature.router)
    return router
