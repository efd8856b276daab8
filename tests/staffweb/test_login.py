"""Log-in, lock-out, CSRF, the session cookie and its idle time-out, log-out: over HTTP."""

from __future__ import annotations

from sqlalchemy import select

from app.settings import WebSettings
from cases.models import AuditLog
from tests.staffweb.conftest import PASSWORD, Desk, csrf_of, login


async def test_a_clerk_logs_in_with_a_strict_http_only_cookie_and_logs_out(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    client = await desk.client()
    try:
        response = await login(client, "wufang", PASSWORD)
        assert response.status == 303 and response.headers["Location"] == "/"
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
        queue = await client.get("/queue")
        assert queue.status == 200 and "待办队列" in await queue.text()
        assert queue.headers["Cache-Control"] == "no-store"
        token = csrf_of(await queue.text())
        out = await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
        assert out.status == 303 and out.headers["Location"] == "/login"
        again = await client.get("/queue", allow_redirects=False)
        assert again.status == 303 and again.headers["Location"].startswith("/login")
    finally:
        await client.close()


async def test_behind_tls_the_cookie_is_secure(desk: Desk) -> None:
    desk.console.settings = WebSettings(secure_cookie=True)
    await desk.account("wufang", "clerk")
    client = await desk.client()
    try:
        response = await login(client, "wufang", PASSWORD)
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        await client.close()


async def test_five_wrong_passwords_lock_the_account(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    client = await desk.client()
    try:
        for attempt in range(1, 6):
            response = await login(client, "wufang", "not the password")
            assert response.status == 401
            text = await response.text()
            assert ("锁定" in text) == (attempt == 5), attempt
        refused = await login(client, "wufang", PASSWORD)  # right password, still locked
        assert refused.status == 401 and "锁定" in await refused.text()
        desk.clock.advance(minutes=16)
        assert (await login(client, "wufang", PASSWORD)).status == 303
    finally:
        await client.close()


async def test_unknown_user_gets_the_same_answer_as_a_wrong_password(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    client = await desk.client()
    try:
        unknown = await (await login(client, "nobody", PASSWORD)).text()
        wrong = await (await login(client, "wufang", "wrong password")).text()
        assert "用户名或密码不对" in unknown and "用户名或密码不对" in wrong
    finally:
        await client.close()


async def test_forms_without_the_csrf_token_are_refused(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    number = await desk.case()
    client = await desk.client()
    try:
        no_token = await client.post(
            "/login", data={"username": "wufang", "password": PASSWORD}, allow_redirects=False
        )
        assert no_token.status == 403
        assert (await login(client, "wufang", PASSWORD)).status == 303
        forged = await client.post(f"/cases/{number}/accept", data={"csrf_token": "guess"})
        assert forged.status == 403 and "页面已过期" in await forged.text()
        bare = await client.post(f"/cases/{number}/accept")
        assert bare.status == 403
        page = await client.get(f"/cases/{number}")
        assert "待受理" in await page.text()  # nothing happened
    finally:
        await client.close()


async def test_an_idle_session_expires(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    client = await desk.client("wufang")
    try:
        desk.clock.advance(minutes=29)
        assert (await client.get("/queue", allow_redirects=False)).status == 200
        desk.clock.advance(minutes=29)  # 29 minutes after the last request: still alive
        assert (await client.get("/queue", allow_redirects=False)).status == 200
        desk.clock.advance(minutes=31)
        expired = await client.get("/queue", allow_redirects=False)
        assert expired.status == 303 and expired.headers["Location"] == "/login?expired=1"
        page = await client.get("/login?expired=1")
        assert "登录已超时" in await page.text()
        actions = await desk.db.run(lambda s: list(s.scalars(select(AuditLog.action))))
        assert "web.session_expired" in actions
    finally:
        await client.close()
