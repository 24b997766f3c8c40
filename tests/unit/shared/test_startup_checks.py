"""Startup refuses unsafe settings outside GIGALERT_ENV=development: the shipped, empty or
short channel key and admin/metrics tokens, and a public URL without https; it says why in
one log line and exits non-zero. uvicorn trusts X-Forwarded-For from nobody by default."""

from __future__ import annotations

import logging
import secrets

import httpx
import pytest
from pydantic import SecretStr

from gigalert_shared.serve import EXIT_UNSAFE_SETTINGS, check_settings, uvicorn_config
from gigalert_shared.settings import HttpSettings, Settings, WebSettings
from gigalert_shared.startup_checks import secret_problem, unsafe_settings

STRONG = secrets.token_urlsafe(32)  # what `make up` generates: 43 characters


def safe(**changes: object) -> Settings:
    base = Settings(
        channel_secret_key=SecretStr(secrets.token_urlsafe(32)),
        http=HttpSettings(admin_token=SecretStr(secrets.token_hex(32))),
        web=WebSettings(public_base_url="https://gigalert.example.jp"),
    )
    return base.model_copy(update=changes)


@pytest.mark.parametrize(
    "value",
    [
        secrets.token_urlsafe(32),
        secrets.token_hex(32),
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/==",
    ],
)
def test_strong_secrets_pass(value: str) -> None:
    assert secret_problem(value) is None


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("dev-only-change-me-dev-only-change-me", "placeholder"),
        ("CHANGE-ME-long-random" + "x" * 40, "placeholder"),
        (secrets.token_urlsafe(24), "shorter"),  # 32 characters
        ("a" * 64, "bits"),
        ("abababababababababababababababababababababab", "bits"),
        ("correcthorsebatterystaplecorrecthorsebatter", "bits"),  # 43 lowercase letters
    ],
)
def test_weak_secrets_are_named(value: str, why: str) -> None:
    problem = secret_problem(value)
    assert problem is not None and why in problem


def test_the_defaults_are_refused_for_web_and_notifier() -> None:
    defaults = Settings()
    for service in ("web", "notifier"):
        problems = unsafe_settings(defaults, service)
        assert any("GIGALERT_CHANNEL_SECRET_KEY" in p for p in problems)
        assert any("GIGALERT_WEB_PUBLIC_BASE_URL" in p for p in problems)
    # Ingest and the matcher use neither the channel key nor the public URL.
    assert unsafe_settings(defaults, "ingest") == []
    assert unsafe_settings(defaults, "matcher") == []


def test_safe_settings_pass_everywhere() -> None:
    for service in ("ingest", "matcher", "notifier", "web"):
        assert unsafe_settings(safe(), service) == []


@pytest.mark.parametrize("token", ["", "short", "dev-only-change-me" + "x" * 40])
@pytest.mark.parametrize("field", ["admin_token", "metrics_token"])
def test_a_set_but_weak_token_is_refused_by_every_service(token: str, field: str) -> None:
    cfg = safe(http=HttpSettings.model_validate({field: SecretStr(token)}))
    name = f"GIGALERT_HTTP_{field.upper()}"
    for service in ("ingest", "matcher", "notifier", "web"):
        assert any(name in p for p in unsafe_settings(cfg, service)), service


def test_production_exits_non_zero_with_one_log_line(caplog: pytest.LogCaptureFixture) -> None:
    cfg = safe(channel_secret_key=SecretStr("dev-only-change-me-dev-only-change-me"))
    cfg = cfg.model_copy(update={"web": WebSettings(public_base_url="http://gigalert.example.jp")})
    assert cfg.env == "production"  # the default
    with caplog.at_level(logging.WARNING), pytest.raises(SystemExit) as exit_:
        check_settings(cfg, "web")
    assert exit_.value.code == EXIT_UNSAFE_SETTINGS != 0
    lines = [r for r in caplog.records if r.name == "gigalert.startup"]
    assert len(lines) == 1 and lines[0].levelno == logging.ERROR
    message = lines[0].getMessage()
    assert "GIGALERT_CHANNEL_SECRET_KEY is a placeholder" in message
    assert "GIGALERT_WEB_PUBLIC_BASE_URL is not https" in message
    assert "dev-only-change-me" not in message.replace("placeholder (change-me)", "")


def test_development_warns_and_starts(caplog: pytest.LogCaptureFixture) -> None:
    cfg = Settings(env="development")
    with caplog.at_level(logging.WARNING):
        check_settings(cfg, "notifier")  # no SystemExit
    [line] = [r for r in caplog.records if r.name == "gigalert.startup"]
    assert line.levelno == logging.WARNING and "GIGALERT_ENV=development" in line.getMessage()
    check_settings(safe(), "notifier")  # nothing to say


def test_gigalert_env_reads_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIGALERT_ENV", "development")
    assert Settings().env == "development"
    monkeypatch.setenv("GIGALERT_ENV", "staging")
    with pytest.raises(ValueError):
        Settings()


async def _client_host(cfg: Settings, forwarded_for: str, peer: str = "127.0.0.1") -> str:
    async def app(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
        body = scope["client"][0].encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": body})  # type: ignore[operator]

    config = uvicorn_config(cfg, app, 0)
    config.load()
    transport = httpx.ASGITransport(app=config.loaded_app, client=(peer, 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as c:
        r = await c.get("/", headers={"X-Forwarded-For": forwarded_for})
    return r.text


async def test_x_forwarded_for_is_trusted_from_nobody_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")  # uvicorn's own variable no longer counts
    config = uvicorn_config(Settings(), None, 0)
    assert config.proxy_headers is False
    assert await _client_host(Settings(), "203.0.113.5") == "127.0.0.1"


async def test_x_forwarded_for_from_the_configured_proxies() -> None:
    cfg = Settings(http=HttpSettings(forwarded_allow_ips="10.0.0.1"))
    assert await _client_host(cfg, "203.0.113.5", peer="10.0.0.1") == "203.0.113.5"
    assert await _client_host(cfg, "203.0.113.5", peer="10.0.0.2") == "10.0.0.2"
    everyone = Settings(http=HttpSettings(forwarded_allow_ips="*"))
    assert await _client_host(everyone, "203.0.113.5", peer="10.9.9.9") == "203.0.113.5"


def test_the_serve_command_refuses_in_one_json_line() -> None:
    """`gigalert web serve` with the shipped defaults: exit 78, one line saying why, and no
    server started (the port is never bound)."""
    import json
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("GIGALERT_")}
    done = subprocess.run(
        [sys.executable, "-m", "gigalert_shared.cli", "web", "serve"],
        env={**env, "GIGALERT_WEB_PORT": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == EXIT_UNSAFE_SETTINGS, done.stderr[-2000:]
    lines = [json.loads(x) for x in (done.stdout + done.stderr).splitlines() if x.startswith("{")]
    [line] = [x for x in lines if x["logger"] == "gigalert.startup"]
    assert line["level"] == "ERROR" and "GIGALERT_CHANNEL_SECRET_KEY" in line["message"]
