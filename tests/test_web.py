from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.db.engine import Database, make_engine
from bot.web import make_web_app
from tests.transcript import Chat


async def test_healthz_reports_a_reachable_database(app: App) -> None:
    async with TestClient(TestServer(make_web_app(app.db))) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        assert await response.json() == {"database": "ok"}


async def test_healthz_reports_an_unreachable_database(tmp_path) -> None:
    broken = Database(make_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none"))
    async with TestClient(TestServer(make_web_app(broken))) as client:
        response = await client.get("/healthz")
        assert response.status == 503
        assert await response.json() == {"database": "unreachable"}
    await broken.close()


async def test_metrics_count_inbound_messages(app: App, chat: Chat) -> None:
    await chat.say("menu")
    async with TestClient(TestServer(make_web_app(app.db))) as client:
        body = await (await client.get("/metrics")).text()
    assert 'p2k2_inbound_messages_total{channel="console"}' in body
    assert "p2k2_handler_latency_seconds_bucket" in body
