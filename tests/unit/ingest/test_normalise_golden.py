"""Ingest's normalisers answer exactly as recorded in the golden corpus
(``tests/support/normalise_golden.py``): the pre-checks that skip scans and the caches of the
faster normalisers change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gigalert_ingest.normalise import parse_days_cached, parse_rate_text
from tests.support import normalise_golden as golden

RECORDED = golden.load()


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, sort_keys=True))


@pytest.fixture(scope="module")
def answers() -> dict[str, Any]:
    now: dict[str, Any] = _json(golden.answers(golden.current()))
    return now


@pytest.mark.parametrize("part", ["rates", "others", "gigs"])
def test_the_normalisers_answer_as_recorded(part: str, answers: dict[str, Any]) -> None:
    recorded, now = RECORDED[part], answers[part]
    assert len(now) == len(recorded)
    wrong = [(r, n) for r, n in zip(recorded, now, strict=True) if r != n]
    assert not wrong, f"{len(wrong)} of {len(recorded)} differ; the first: {wrong[0]}"


def test_cached_days_answer_as_uncached() -> None:
    for case in RECORDED["others"][:2000]:
        for _ in range(2):  # the second call is answered from the cache
            assert _json(golden._plain(parse_days_cached(case["text"]))) == case["days"]


@pytest.mark.parametrize("fx", golden.FX_TABLES)
def test_a_bad_fx_table_is_still_refused_every_time(fx: dict[str, float]) -> None:
    bad = {**fx, "EUR": -1.0}
    for _ in range(2):  # the checked table is cached: the error must not be
        with pytest.raises(ValueError, match="fx_to_jpy"):
            parse_rate_text("$40/h", fx_to_jpy=bad)
