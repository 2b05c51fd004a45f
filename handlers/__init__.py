"""Features, written once against channel-neutral types. Handlers import only `bot.core`."""

from __future__ import annotations

from bot.core.router import Router
from handlers import (
    attendance,
    broadcast,
    claim,
    export,
    fallback,
    groups,
    lessons,
    meetings,
    menu,
    onboarding,
    pendamping_meetings,
    privacy,
    progress,
    quiz,
    results,
    rsvp_view,
    settings,
    welcome,
)


def build_router() -> Router:
    router = Router()
    for feature in (
        menu,
        onboarding,
        welcome,
        claim,
        lessons,
        quiz,
        progress,
        meetings,
        groups,
        pendamping_meetings,
        settings,
        privacy,
        rsvp_view,
        attendance,
        broadcast,
        results,
        export,
        fallback,
    ):
        router.include(feature.router)
    return router
