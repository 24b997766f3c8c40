"""encode_alerts assembles each alert's event from fragments: it must be byte for byte
what dump_event gives, and its reasons what the model holds."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from gigalert_matcher.alerts import build_alerts, encode_alerts
from gigalert_matcher.matching import Criteria, GigFacts
from gigalert_shared.events import GigBody, RateSource, RateUnit, RemoteMode, dump_event

texts = st.text(min_size=1, max_size=40)
maybe_int = st.one_of(st.none(), st.integers(0, 20_000))
maybe_days = st.one_of(st.none(), st.sampled_from([1.0, 2.5, 5.0]))
times = st.datetimes(
    min_value=datetime(2000, 1, 1), timezones=st.sampled_from([UTC, timezone(timedelta(hours=9))])
)


@st.composite
def gigs(draw: st.DrawFn) -> GigBody:
    return GigBody(
        gig_id=uuid.uuid4(),
        platform_id=uuid.uuid4(),
        platform_name=draw(texts),
        external_id="x",
        title=draw(texts),
        description=draw(st.text(max_size=80)),
        url=draw(st.one_of(st.none(), st.just('https://example.jp/g?a=1&b="2"'))),
        domains=draw(st.lists(st.sampled_from(["pmo", "data", "pr"]), unique=True)),
        remote_mode=draw(st.one_of(st.none(), st.sampled_from(list(RemoteMode)))),
        location=draw(st.one_of(st.none(), texts)),
        rate_min_jpy_h=draw(maybe_int),
        rate_max_jpy_h=draw(maybe_int),
        rate_source=RateSource(
            text=draw(st.one_of(st.none(), texts)),
            amount_min=draw(st.one_of(st.none(), st.floats(0, 1e7))),
            unit=draw(st.one_of(st.none(), st.sampled_from(list(RateUnit)))),
            convention="hour",
        ),
        days_per_week_min=draw(maybe_days),
        days_per_week_max=draw(maybe_days),
        posted_at=draw(st.one_of(st.none(), times)),
        received_at=datetime.now(UTC),
        content_hash="h",
    )


def criteria(freelancer: uuid.UUID, floor: int | None) -> Criteria:
    return Criteria(
        subscription_id=uuid.uuid4(),
        freelancer_id=freelancer,
        remote_modes=frozenset({"remote", "hybrid", "onsite"}),
        min_rate_jpy_h=floor,
        include_unknown_rate=True,
        domains=frozenset(),
        keywords_any=(),
        keywords_none=(),
        max_days_per_week=3.0,
        locations=("東京",),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(gigs(), min_size=1, max_size=3), times, st.integers(1, 4))
def test_encoded_events_are_dump_event(gig_list: list[GigBody], now: datetime, n: int) -> None:
    freelancers = [uuid.uuid4() for _ in range(n)]
    subs = [criteria(f, floor) for f in freelancers for floor in (None, 4500)]
    alerts = [a for g in gig_list for a in build_alerts(g, GigFacts.from_gig(g), subs, now)]
    encoded = encode_alerts(alerts)
    assert len(encoded) == len(alerts)
    for alert, e in zip(alerts, encoded, strict=True):
        assert e.payload == dump_event(alert)
        assert json.loads(e.reasons) == json.loads(e.payload)["reasons"]
        assert e.key == str(alert.freelancer_id).encode()
        assert e.alert_id == str(alert.alert_id)


@settings(max_examples=5, deadline=None)
@given(gigs())
def test_an_alert_without_subscriptions_encodes_too(gig: GigBody) -> None:
    subs = [criteria(uuid.uuid4(), None)]
    alert = build_alerts(gig, GigFacts.from_gig(gig), subs, datetime.now(UTC))[0]
    empty = alert.model_copy(update={"subscription_ids": [], "reasons": {}})
    assert encode_alerts([empty])[0].payload == dump_event(empty)
