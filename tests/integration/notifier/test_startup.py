"""The notifier loads Apprise's plugins at startup, off the event loop: its first send does
not freeze the loop (Kafka heartbeats, HTTP) for the seconds that loading takes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from gigalert_shared.settings import Settings
from tests.conftest import ROOT, SMTP_PORT

pytestmark = [pytest.mark.postgres, pytest.mark.kafka, pytest.mark.smtp]


def run_probe(settings: Settings, *, send_on_startup: bool) -> dict[str, object]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIGALERT_")},
        "GIGALERT_POSTGRES_DSN": settings.postgres.dsn.get_secret_value(),
        "GIGALERT_KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "GIGALERT_KAFKA_TOPIC_PREFIX": settings.kafka.topic_prefix,
        "GIGALERT_SMTP_PORT": str(SMTP_PORT),
        "PROBE_SEND_ON_STARTUP": "1" if send_on_startup else "0",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.notifier.first_send_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_first_send_after_startup_does_not_block_the_event_loop(settings: Settings) -> None:
    result = run_probe(settings, send_on_startup=True)
    assert result["ok"] is True, result
    gap = result["longest_gap"]
    assert isinstance(gap, float)
    assert gap < 1.0, f"the event loop stood still for {gap:.2f} s during the first send"
