"""Features, written once against channel-neutral types. Handlers import only `bot.core`."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.content import UrgentHelp
from bot.core.router import Router
from bot.core.urgent import UrgentWords
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
    question_inbox,
    questions,
    quiz,
    results,
    rsvp_view,
    settings,
    welcome,
)


def build_router(urgent: Sequence[UrgentHelp] = ()) -> Router:
    """`urgent`: the urgent words and numbers to call (content/urgent.yaml), screened before anything else."""
    features = Router()
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
        questions,
        question_inbox,
        fallback,
    ):
        features.include(feature.router)
    router = Router()
    router.include(questions.urgent_screen(UrgentWords(urgent), features))
    router.include(features)
    return router
