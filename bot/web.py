"""The HTTP server: health and metrics now, channel webhooks as channels are configured."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.db.engine import Database


def make_web_app(db: Database) -> web.Application:
    async def healthz(_request: web.Request) -> web.Response:
        ok = await db.ping()
        return web.json_response({"database": "ok" if ok else "unreachable"}, status=200 if ok else 503)

    async def metrics(_request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app
