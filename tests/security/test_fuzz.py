"""Bad input at scale: property-based fuzzing (hypothesis) of every HTTP endpoint of ingest,
the web app's freelancer API (the matcher consuming behind it) and the notifier's ops API,
and of the ``gigs.raw`` topic.

HTTP: every operation of the apps' OpenAPI documents (so new endpoints are fuzzed without
touching this file) gets random JSON, schema-shaped bodies with absurd values (negative and
absurd rates, NaN/Infinity, dates in year 1 and 9999, unicode oddities), invalid UTF-8 and
random bytes, deep nesting, random path and query values. No answer may be a 5xx or an
unhandled exception, except the known bugs in KNOWN_BUGS (each reproduced on its own by a
strict xfail test below, so fixing one makes that test fail until its entry is removed).
Afterwards the apps still answer good requests.

Raw topic: two thousand random byte strings and JSON values, all invalid by construction,
most with a valid key (some with none, an unknown or a revoked one); every one must come out
in ``gigs.rejected`` (counted byte for byte) and a good gig produced afterwards must be stored.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import logging
import re
import string
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlencode

import asyncpg
import httpx
import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as settings_
from hypothesis import strategies as st

from gigalert_ingest.api.app import create_app as create_ingest
from gigalert_ingest.platforms import create_platform
from gigalert_ingest.repository import revoke_platform
from gigalert_matcher.api.app import create_app as create_matcher
from gigalert_shared.auth_limit import AuthFailureLimiter
from gigalert_shared.crypto import Signer
from gigalert_shared.events import GigRejected
from gigalert_shared.settings import HttpSettings, Settings
from gigalert_shared.taxonomy import DOMAIN_KEYS
from gigalert_shared.topics import Topics
from tests.security.conftest import ADMIN_TOKEN, Running, operations, running
from tests.security.test_auth import GIG
from tests.support.kafka_helpers import Headers, produce, read_topic, wait_for

HTTP_EXAMPLES = 3000
RAW_MESSAGES = 2000
AnyStrategy = st.SearchStrategy[Any]

# ------------------------------------------------------------------------ known bugs
# Each: an id, the exception the app raised (the client sees a 500), and why.


@dataclass(frozen=True)
class KnownBug:
    id: str
    matches: Callable[[BaseException, str], bool]
    what: str


def _name(exc: BaseException) -> str:
    return type(exc).__name__


KNOWN_BUGS: tuple[KnownBug, ...] = ()


def known_bug(exc: BaseException, body: str) -> str | None:
    return next((b.id for b in KNOWN_BUGS if b.matches(exc, body)), None)


# ------------------------------------------------------------------------ strategies

ODD_CHARS = [
    "\u202e",  # right-to-left override
    "\u200b",  # zero-width space
    "\ufeff",  # BOM
    "\u0301",  # combining acute
    "ｱ",
    "ﾊﾟ",
    "𠮷",
    "😀",
    "👩‍💻",
    "\r\n",
    "\t",
    "\x7f",
    "\x1b[31m",
    "\\",
    '"',
    "'",
    "<script>alert(1)</script>",
    "'; DROP TABLE gigs; --",
    "%00",
    "%s%n",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "../../etc/passwd",
    "ＰＭＯ",
    "時給",
    "万円",
    "週",
    "〜",
]
_chars = st.characters(codec="utf-8", exclude_characters="\x00")  # no lone surrogates
odd_text: AnyStrategy = st.lists(
    st.one_of(st.text(_chars, max_size=8), st.sampled_from(ODD_CHARS)), max_size=6
).map("".join)
long_text: AnyStrategy = st.integers(1, 25_000).map(lambda n: "長" * n)
text: AnyStrategy = st.one_of(odd_text, odd_text, st.text(_chars, max_size=40), long_text)
# The characters Postgres or UTF-8 can't take, rarely, to keep the known bugs in sight.
# Cheap strings for long lists (keywords, skills): list limits are the point there.
words: AnyStrategy = st.one_of(st.sampled_from(ODD_CHARS), st.text(_chars, max_size=6))
rare_text: AnyStrategy = st.sampled_from(["a\x00b", "\x00", "x\ud800", "\udfff"])
any_text: AnyStrategy = st.one_of(*([text] * 49), rare_text)  # ~2% per string

url_text: AnyStrategy = any_text.map(lambda s: s[:1500])  # httpx refuses URLs over 64 kB
numbers: AnyStrategy = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, -1, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, 10**30]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1e-300, 5e-324, 1e308, -1e308, 4500.5, 7.0000001, 0.1]),
)
leaf: AnyStrategy = st.one_of(st.none(), st.booleans(), numbers, any_text)
json_values: AnyStrategy = st.recursive(
    leaf,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(any_text, children, max_size=4)
    ),
    max_leaves=10,
)

_zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=9)), timezone(timedelta(hours=-12)), timezone.max]
)
dates: AnyStrategy = st.one_of(
    st.datetimes(
        min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59), timezones=_zones
    ).map(lambda d: d.isoformat()),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(
        lambda d: d.isoformat()
    ),
    st.sampled_from(
        [
            "0000-00-00T00:00:00Z",
            "2026-13-45T25:61:61Z",
            "+275760-09-13T00:00:00Z",
            "-000001-01-01T00:00:00Z",
            "9999-12-31T23:59:59+14:00",
            "0001-01-01T00:00:00-23:59",
            "1970-01-01",
            "2026-11-27T09:00:00+09:00",
            "now",
            "",
        ]
    ),
    st.integers(-(2**63), 2**63),
)

rate_texts: AnyStrategy = st.one_of(
    st.tuples(
        st.sampled_from(["時給", "日給", "月額", "月給", "年収", "単価", "", "$", "USD ", "€"]),
        st.one_of(
            st.integers(-(10**25), 10**25).map(str),
            st.floats(allow_nan=False).map(str),
            st.sampled_from(
                ["NaN", "inf", "-0", "0", "4,500", "１２０", "9" * 12, "9" * 23, "9" * 40, "1e308"]
            ),
        ),
        st.sampled_from(["円", "万円", "億円", "千円", "", "/h", "円〜", "円（140-180h）", "ドル"]),
    ).map("".join),
    st.sampled_from(["応相談", "要相談", "〜", "時給-4500円", "月額80万円（0-0h）", "週0日"]),
    any_text,
)
amounts: AnyStrategy = st.one_of(numbers, st.sampled_from([None, "4500", [1], {"x": 1}]))
rate_dicts: AnyStrategy = st.fixed_dictionaries(
    {"unit": st.one_of(st.sampled_from(["hour", "day", "month", "project"]), any_text)},
    optional={
        "amount_min": amounts,
        "amount_max": amounts,
        "currency": st.one_of(st.sampled_from(["JPY", "USD", "EUR", "XXX", "jpy", ""]), any_text),
        "tax_basis": st.one_of(st.sampled_from(["included", "excluded", "unknown"]), any_text),
        "hours_per_month_min": amounts,
        "hours_per_month_max": amounts,
        "extra": json_values,
    },
)
days_values: AnyStrategy = st.one_of(
    st.fixed_dictionaries({}, optional={"min": amounts, "max": amounts}),
    st.sampled_from(["週2〜3日", "週0日", "週100日", "週-1日", "週5日以上", "フル稼働", "週2.5日"]),
    any_text,
    json_values,
)


def shaped(required: dict[str, AnyStrategy], optional: dict[str, AnyStrategy]) -> AnyStrategy:
    """Dicts with the schema's field names (plus sometimes an unknown one) and wild values."""
    return st.fixed_dictionaries(required, optional={**optional, "unknown_field": json_values})


gigs: AnyStrategy = shaped(
    {"external_id": st.one_of(st.text(string.ascii_letters, min_size=1, max_size=12), any_text)},
    {
        "title": any_text,
        "description": any_text,
        "url": st.one_of(
            st.sampled_from(
                [
                    "https://jobs.example.jp/1",
                    "javascript:alert(1)",
                    "http://169.254.169.254/",
                    "file:///etc/passwd",
                    "https://" + "a" * 2100 + ".jp/",
                    "http://[::1]:80/",
                ]
            ),
            any_text,
        ),
        "category": st.one_of(
            st.sampled_from(["PMO", "マーケティング", "広報", "データ"]), any_text
        ),
        "skills": st.one_of(
            st.lists(words, max_size=5),
            st.integers(45, 60).map(lambda n: [f"s{i}" for i in range(n)]),
            json_values,
        ),
        "remote": st.one_of(
            st.sampled_from(["フルリモート", "一部リモート", "常駐", "remote"]), any_text
        ),
        "location": any_text,
        "rate": st.one_of(rate_texts, rate_dicts, json_values),
        "days_per_week": days_values,
        "posted_at": dates,
        "expires_at": dates,
        "language": st.one_of(st.sampled_from(["ja", "en", "ja-JP", "zz-Latn", "JA"]), any_text),
    },
)
# Valid gigs with one absurd part: these get past validation and into normalisation.
_magnitudes = st.one_of(
    st.floats(min_value=5e-324, max_value=1e9),
    st.sampled_from([5e-324, 1e-300, 1e-9, 0.001, 1.0, 4500.0, 999_999_999.0, 1e9]),
)
_digits = st.one_of(
    st.integers(0, 10**30).map(str),
    st.sampled_from(["9" * 12, "9" * 23, "0.000001", "1e308", "4,500", "１２０"]),
)
absurd_rate_texts: AnyStrategy = st.tuples(
    st.sampled_from(["時給", "日給", "月額", "月給", "年収", "$", "USD ", ""]),
    _digits,
    st.sampled_from(["円", "万円", "億円", "千円", "ドル", "円（0.0001-1h）", "万円（140-180h）"]),
    st.sampled_from(["", "〜", "（週1日）", "（週0.001日）"]),
).map("".join)
absurd_rate_dicts: AnyStrategy = st.fixed_dictionaries(
    {
        "unit": st.sampled_from(["hour", "day", "month", "project"]),
        "amount_min": _magnitudes,
        "currency": st.sampled_from(["JPY", "USD", "EUR", "GBP"]),
    },
    optional={"hours_per_month_min": st.floats(min_value=5e-324, max_value=744)},
)
absurd_days: AnyStrategy = st.one_of(
    st.fixed_dictionaries({"min": st.floats(min_value=5e-324, max_value=7)}),
    st.sampled_from(["週0.0000001日", "週7日", "週1〜7日", "月1日", "週2〜3日"]),
)
near_valid_gigs: AnyStrategy = st.tuples(
    st.uuids().map(str),
    st.one_of(
        st.fixed_dictionaries({"rate": st.one_of(absurd_rate_texts, absurd_rate_dicts)}),
        st.fixed_dictionaries({"days_per_week": absurd_days}),
        st.fixed_dictionaries(
            {"rate": st.one_of(absurd_rate_texts, absurd_rate_dicts), "days_per_week": absurd_days}
        ),
        st.fixed_dictionaries({"posted_at": dates, "expires_at": dates}),
        st.fixed_dictionaries(
            {"skills": st.lists(words.filter(lambda s: bool(s.strip())), max_size=5)}
        ),
        st.fixed_dictionaries({"description": odd_text, "location": odd_text}),
    ),
).map(lambda t: {"external_id": t[0], "title": "PMO支援", **t[1]})
batches: AnyStrategy = shaped(
    {
        "gigs": st.one_of(
            st.lists(st.one_of(gigs, near_valid_gigs, json_values), max_size=6),
            st.tuples(st.integers(0, 80), st.one_of(gigs, near_valid_gigs)).map(
                lambda t: [{**t[1], "external_id": f"bulk-{i}"} for i in range(t[0])]
            ),
            json_values,
        )
    },
    {},
)
_times = st.one_of(
    st.times().map(lambda t: t.isoformat()),
    st.sampled_from(["25:00", "23:59:60", "-01:00", "24:00:00", "7", "22:00+09:00"]),
    json_values,
)
subscriptions: AnyStrategy = shaped(
    {},
    {
        "name": any_text,
        "remote_modes": st.one_of(
            st.lists(st.sampled_from(["remote", "hybrid", "onsite", "REMOTE", "mars"]), max_size=5),
            json_values,
        ),
        "min_rate_jpy_h": st.one_of(numbers, json_values),
        "include_unknown_rate": st.one_of(st.booleans(), json_values),
        "domains": st.one_of(
            st.lists(st.sampled_from([*sorted(DOMAIN_KEYS), "PMO", "", "other"]), max_size=25),
            json_values,
        ),
        "keywords_any": st.one_of(st.lists(words, max_size=25), json_values),
        "keywords_none": st.one_of(st.lists(words, max_size=25), json_values),
        "max_days_per_week": st.one_of(numbers, json_values),
        "locations": st.one_of(st.lists(words, max_size=25), json_values),
        "frequency": st.one_of(st.sampled_from(["instant", "digest", "hourly"]), json_values),
        "digest_hour": st.one_of(numbers, json_values),
        "quiet_start": _times,
        "quiet_end": _times,
    },
)
channels: AnyStrategy = shaped(
    {"kind": st.one_of(st.sampled_from(["email", "slack", "line", "apprise"]), json_values)},
    {
        "address": st.one_of(st.sampled_from(["taro@example.jp", "a@b", "@"]), any_text),
        "webhook_url": st.one_of(
            st.sampled_from(
                [
                    "https://hooks.slack.com/services/T0/B0/abc",
                    "https://hooks.slack.com/services/../../x",
                ]
            ),
            any_text,
        ),
        "user_id": st.one_of(
            st.text("0123456789abcdef", min_size=32, max_size=32).map(lambda s: "U" + s),
            any_text,
        ),
    },
)
freelancers: AnyStrategy = shaped(
    {},
    {
        "display_name": any_text,
        "locale": st.one_of(st.sampled_from(["ja", "en", "fr"]), json_values),
        "timezone": st.one_of(
            st.sampled_from(["Asia/Tokyo", "UTC", "Etc/GMT+14", "../../etc/passwd", "Local"]),
            any_text,
        ),
    },
)
api_tokens: AnyStrategy = shaped({}, {"label": any_text})
requeues: AnyStrategy = shaped(
    {"ids": st.one_of(st.lists(st.uuids().map(str), max_size=5), json_values)}, {}
)
SHAPED: dict[str, AnyStrategy] = {
    "GigIn": st.one_of(gigs, near_valid_gigs),
    "BatchIn": batches,
    "SubscriptionIn": subscriptions,
    "EmailChannelIn": channels,
    "SlackChannelIn": channels,
    "LineChannelIn": channels,
    "FreelancerIn": freelancers,
    "TokenIn": api_tokens,
    "RequeueIn": requeues,
}


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=True).encode()


def _mutate_text(payload: bytes, seed: int) -> bytes:
    """Splice a raw token into JSON text: NaN, Infinity, huge exponents, bad escapes."""
    tokens = [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e400", b"\\u0000", b"\xff\xfe"]
    token = tokens[seed % len(tokens)]
    pos = payload.find(b":") + 1 if b":" in payload else 0
    if token.startswith(b"\\"):
        return payload.replace(b'"', b'"' + token, 1) if b'"' in payload else payload + token
    end = payload.find(b",", pos)
    end = end if end != -1 else payload.find(b"}", pos)
    end = end if end != -1 else len(payload)
    return payload[:pos] + token + payload[end:] if pos else token


@functools.cache
def bodies(schema_refs: tuple[str, ...]) -> st.SearchStrategy[tuple[str, bytes | None, str | None]]:
    """(kind, body bytes, content type) for an operation whose body is one of the refs."""
    shaped_values: AnyStrategy = st.one_of(
        *[SHAPED.get(r, json_values) for r in schema_refs] or [json_values]
    )
    json_ct = st.sampled_from(
        ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"]
    )
    return st.one_of(
        st.tuples(st.just("shaped"), shaped_values.map(_dumps), json_ct),
        st.tuples(st.just("shaped"), shaped_values.map(_dumps), json_ct),
        st.tuples(st.just("shaped"), shaped_values.map(_dumps), json_ct),
        st.tuples(st.just("json"), json_values.map(_dumps), json_ct),
        st.tuples(
            st.just("splice"),
            st.tuples(shaped_values, st.integers(0, 100)).map(
                lambda t: _mutate_text(_dumps(t[0]), t[1])
            ),
            json_ct,
        ),
        st.tuples(st.just("bytes"), st.binary(max_size=300), st.one_of(json_ct, st.none())),
        st.tuples(
            st.just("invalid-utf8"),
            shaped_values.map(lambda v: b"\xef\xbb\xbf" + _dumps(v)[:-1] + b"\xc3\x28\xff}"),
            json_ct,
        ),
        st.tuples(
            st.just("deep"),
            st.tuples(st.integers(1, 3000), st.sampled_from([b"[", b'{"a":'])).map(
                lambda t: t[1] * t[0] + (b"]" if t[1] == b"[" else b"}") * t[0]
            ),
            json_ct,
        ),
        st.tuples(
            st.just("wide"),
            st.integers(0, 60_000).map(lambda n: b"[" + b",".join([b"0"] * n) + b"]"),
            json_ct,
        ),
        st.tuples(
            st.just("other-type"),
            shaped_values.map(_dumps),
            st.sampled_from(
                [
                    "text/plain",
                    "application/x-www-form-urlencoded",
                    "multipart/form-data; boundary=x",
                    "application/xml",
                ]
            ),
        ),
        st.tuples(st.just("empty"), st.sampled_from([b"", None]), st.one_of(json_ct, st.none())),
    )


# ------------------------------------------------------------------------- HTTP fuzzing


@dataclass
class Target:
    name: str
    app: Running
    method: str
    path: str
    op: dict[str, Any]
    refs: list[str]

    @property
    def query_names(self) -> list[str]:
        return [p["name"] for p in self.op.get("parameters", []) if p["in"] == "query"]


@dataclass
class World:
    ingest: Running
    matcher: Running
    notifier: Running
    web: Running
    key: str
    token: str
    ids: dict[str, list[str]]
    signer: Signer
    targets: list[Target]
    strategies: dict[str, AnyStrategy] = field(default_factory=dict)

    def cached(self, key: str, make: Callable[[], AnyStrategy]) -> AnyStrategy:
        """Strategies built once: building them anew for every example is slow."""
        if key not in self.strategies:
            self.strategies[key] = make()
        return self.strategies[key]


def _refs(op: dict[str, Any]) -> list[str]:
    body = op.get("requestBody")
    if body is None:
        return []
    schema = body["content"]["application/json"]["schema"]
    alts = [schema, *schema.get("oneOf", []), *schema.get("anyOf", [])]
    return [str(s["$ref"]).rsplit("/", 1)[-1] for s in alts if "$ref" in s]


@pytest.fixture
async def consuming_matcher(settings: Settings) -> AsyncIterator[Running]:
    """The matcher with its gig consumer: fuzzed gigs that get stored are matched too."""
    async with running(create_matcher(settings), "http://matcher") as r:
        yield r


@pytest.fixture
async def world(
    ingest: Running,
    consuming_matcher: Running,
    notifier: Running,
    web: Running,
    db: asyncpg.Connection,
) -> World:
    matcher = consuming_matcher
    for app in (ingest, web, notifier):  # random credentials must not lock the fuzzer out
        app.app.state.auth_limiter = AuthFailureLimiter(max_failures=10**9)
    _, key = await create_platform(db, name="fuzz-board")
    r = await web.client.post("/v1/freelancers", json={"display_name": "fuzz"})
    token = r.json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    ids: dict[str, list[str]] = {"channel_id": [], "subscription_id": [], "token_id": []}
    for body in (
        {"kind": "email", "address": "fuzz@example.jp"},
        {"kind": "line"},
        {"kind": "slack", "webhook_url": "https://hooks.slack.com/services/T0FUZZ/B0FUZZ/fuzz"},
    ):
        r = await web.client.post("/v1/channels", json=body, headers=auth)
        assert r.status_code == 201, r.text
        ids["channel_id"].append(r.json()["id"])
    for sub in ({"name": "a"}, {"name": "b", "domains": ["pmo"], "min_rate_jpy_h": 4500}):
        r = await web.client.post("/v1/subscriptions", json=sub, headers=auth)
        ids["subscription_id"].append(r.json()["id"])
    r = await web.client.post("/v1/tokens", json={"label": "spare"}, headers=auth)
    ids["token_id"] = [t["id"] for t in (await web.client.get("/v1/tokens", headers=auth)).json()]
    # Some stored gigs, so previews have something to evaluate.
    for i, rate in enumerate(["時給4,500円", "月額80万円（140-180h）", "応相談", "日給4万円"]):
        r = await ingest.client.post(
            "/v1/gigs",
            json={**GIG, "external_id": f"seed-{i}", "rate": rate},
            headers={"X-API-Key": key},
        )
        assert r.status_code == 202

    # The matcher makes alerts of them (search "a" takes anything): real unsubscribe links.
    async def alerts() -> list[str]:
        rows = await db.fetch("SELECT id FROM alerts")
        return [str(r["id"]) for r in rows] if len(rows) >= 4 else []

    ids["alert_id"] = await wait_for(alerts, timeout=30)
    assert ids["alert_id"], "the matcher made no alerts of the seeded gigs"
    targets = [
        Target(name, app, method, path, op, _refs(op))
        for name, app in (("ingest", ingest), ("web", web), ("notifier", notifier))
        for method, path, op in operations(app.openapi())
    ]
    signer: Signer = web.app.state.unsubscribe_signer
    return World(ingest, matcher, notifier, web, key, token, ids, signer, targets)


def _path_value(name: str, w: World) -> AnyStrategy:
    if name in w.ids:
        return st.one_of(
            st.sampled_from(w.ids[name]),
            st.uuids().map(str),
            url_text.map(lambda s: quote(s, safe="", errors="surrogatepass")),
            st.sampled_from(["0", "-1", "null", "%00", "..", "%2e%2e", "a" * 5000]),
        )
    if name == "token":
        return st.one_of(
            url_text.map(lambda s: quote(s, safe="", errors="surrogatepass")),
            st.one_of(
                st.sampled_from(w.ids["alert_id"]),
                st.sampled_from(w.ids["alert_id"]),
                st.uuids().map(str),
                text.map(lambda s: s[:1000]),
                st.lists(st.uuids().map(str), max_size=300).map(",".join),
            ).map(lambda v: quote(w.signer.sign(v), safe="")),
        )
    return url_text.map(lambda s: quote(s, safe="", errors="surrogatepass") or "x")


def _headers(t: Target, w: World) -> AnyStrategy:
    good = {
        "ingest": {"X-API-Key": w.key},
        "web": {"Authorization": f"Bearer {w.token}"},
        "notifier": {"Authorization": f"Bearer {ADMIN_TOKEN}"},
    }[t.name]
    garbage = st.dictionaries(
        st.sampled_from(["X-API-Key", "Authorization", "Content-Encoding", "Transfer-Encoding"]),
        st.text(string.printable.strip(), max_size=60),
        max_size=3,
    ).map(lambda h: {**good, **h})
    # Mostly the right credentials: the point is the body; 1 in 10 without or with junk.
    return st.integers(0, 9).flatmap(
        lambda i: st.just({}) if i == 9 else garbage if i == 8 else st.just(good)
    )


@dataclass
class FuzzStats:
    statuses: Counter[int]
    kinds: Counter[str]
    known: Counter[str]
    per_target: Counter[str]


def _ours_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name.startswith(("gigalert", "faststream"))
    ]


def _request(
    data: st.DataObject, w: World
) -> tuple[Target, str, dict[str, str], dict[str, str], str, bytes | None]:
    """Draw one request: (target, path, query, headers, body kind, body)."""
    names = [f"{t.method.upper()} {t.path}" for t in w.targets]
    # Ingest's few operations take the richest bodies: give them more of the examples.
    weighted = [n for t, n in zip(w.targets, names, strict=True) for _ in range(len(t.refs) + 1)]
    weighted += [n for t, n in zip(w.targets, names, strict=True) if t.name == "ingest"] * 3
    t = w.targets[names.index(data.draw(st.sampled_from(weighted), label="operation"))]
    path = re.sub(
        r"\{([^}]+)\}",
        lambda m: data.draw(
            w.cached(f"path:{m.group(1)}", lambda: _path_value(m.group(1), w)), label=m.group(1)
        ),
        t.path,
    )
    query: dict[str, str] = {}
    for n in t.query_names:
        v = data.draw(st.one_of(st.none(), numbers.map(str), url_text), label=n)
        if v is not None:
            query[n] = v
    headers = dict(
        data.draw(w.cached(f"headers:{t.name}", lambda: _headers(t, w)), label="headers")
    )
    kind: str = "none"
    content: bytes | None = None
    with_body = bool(t.refs) or data.draw(st.booleans(), label="body on a bodiless operation")
    if with_body:
        kind, content, ctype = data.draw(bodies(tuple(t.refs)), label="body")
        if ctype is not None:
            headers["Content-Type"] = ctype
    return t, path, query, headers, kind, content


# Hypothesis runs in a worker thread (below) while the event loop's own code (aiokafka's
# jitter, asyncpg) uses the global `random` meanwhile; Hypothesis notices the state change and
# warns as if a strategy did it. None of our strategies use `random`.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
# Bodies of up to a few hundred kB are drawn on purpose; their reprs are big.
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
async def test_http_endpoints_never_answer_5xx(
    world: World, caplog: pytest.LogCaptureFixture, db: asyncpg.Connection
) -> None:
    """HTTP_EXAMPLES random requests over every operation of ingest, the web app and the
    notifier's ops API; then the apps still answer good requests."""
    w = world
    loop = asyncio.get_running_loop()
    stats = FuzzStats(Counter(), Counter(), Counter(), Counter())

    async def send(
        t: Target, path: str, query: dict[str, str], headers: dict[str, str], content: bytes | None
    ) -> httpx.Response:
        # Encoded here, as path values are: a lone surrogate goes out as its UTF-8 bytes
        # (surrogatepass), which httpx's own encoding of `params` would refuse.
        url = (
            f"{path}?{urlencode(query, quote_via=quote, errors='surrogatepass')}" if query else path
        )
        return await t.app.client.request(t.method.upper(), url, content=content, headers=headers)

    # Hypothesis runs in a worker thread and hands each request to this (running) loop, so
    # the apps' consumers and relays keep working between examples.
    @settings_(
        max_examples=HTTP_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    )
    @given(data=st.data())
    def one_request(data: st.DataObject) -> None:
        t, path, query, headers, kind, content = _request(data, w)
        stats.kinds[kind] += 1
        stats.per_target[f"{t.method.upper()} {t.path}"] += 1
        body_text = (content or b"").decode("utf-8", "replace")[:200_000] + json.dumps(query)
        future = asyncio.run_coroutine_threadsafe(send(t, path, query, headers, content), loop)
        try:
            r = future.result(timeout=60)
        except Exception as exc:
            bug = known_bug(exc, body_text)
            if bug is None:
                raise
            stats.known[bug] += 1
            return
        stats.statuses[r.status_code] += 1
        assert r.status_code < 500, (t.method, path, kind, r.status_code, r.text[:500])
        errors = _ours_errors(caplog)
        assert not errors, errors

    start = time.monotonic()
    await asyncio.to_thread(one_request)
    took = time.monotonic() - start
    total = sum(stats.per_target.values())
    print(  # noqa: T201
        f"\nHTTP fuzz: {total} requests in {took:.1f}s over {len(stats.per_target)} operations;"
        f" statuses {dict(sorted(stats.statuses.items()))}; bodies {dict(stats.kinds)};"
        f" known bugs hit {dict(stats.known)}"
    )
    assert total >= HTTP_EXAMPLES
    assert len(stats.per_target) == len(w.targets), "an operation was never fuzzed"

    # The apps still answer good requests, and the good gig is stored.
    r = await w.ingest.client.post(
        "/v1/gigs", json={**GIG, "external_id": "after-fuzz"}, headers={"X-API-Key": w.key}
    )
    assert r.status_code == 202, r.text
    assert r.json()["results"][0]["status"] == "created"
    assert await db.fetchval("SELECT count(*) FROM gigs WHERE external_id = 'after-fuzz'") == 1
    # The fuzzer may have revoked the token it was given: a fresh account must work, and
    # its token opens nothing of the fuzzed account's.
    r = await w.web.client_from("192.0.2.200").post("/v1/freelancers", json={"display_name": "z"})
    assert r.status_code == 201, r.text
    fresh = {"Authorization": f"Bearer {r.json()['token']}"}
    assert (await w.web.client.get("/v1/me", headers=fresh)).status_code == 200
    r = await w.web.client.put(
        f"/v1/subscriptions/{w.ids['subscription_id'][0]}", json={"name": "after"}, headers=fresh
    )
    assert r.status_code == 404, r.text
    assert (await w.ingest.client.get("/readyz")).status_code == 200
    assert (await w.matcher.client.get("/readyz")).status_code == 200
    assert (await w.web.client.get("/readyz")).status_code == 200
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert (await w.notifier.client.get("/v1/ops/deliveries", headers=admin)).status_code == 200
    assert not _ours_errors(caplog)


# --------------------------------------------------------------------- the raw topic


def _invalid_gig(gig: dict[str, Any], how: int) -> dict[str, Any]:
    """A gig made invalid for certain: an unknown field, or the title missing or not text."""
    out = dict(gig)
    if how == 0:
        out["not_a_gig_field"] = out.pop("unknown_field", 1)
    elif how == 1:
        out.pop("title", None)
    else:
        out["title"] = [out.get("title")]
    return out


raw_values: st.SearchStrategy[bytes] = st.one_of(
    st.binary(max_size=400),
    st.binary(min_size=1, max_size=50).map(lambda b: b"\xff" + b),  # never UTF-8
    st.one_of(st.none(), st.booleans(), numbers, any_text, st.lists(json_values, max_size=5)).map(
        _dumps
    ),
    st.tuples(st.one_of(gigs, near_valid_gigs), st.integers(0, 2)).map(
        lambda t: _dumps(_invalid_gig(t[0], t[1]))
    ),
    st.tuples(near_valid_gigs, st.sampled_from([b"NaN", b"Infinity", b"1e400", b"[]"])).map(
        lambda t: _dumps(t[0]).replace(b'"title": ', b'"title": ' + t[1] + b', "x": ', 1)
    ),
    # Nesting stops short of Python's recursion limit: deeper is a known bug (see below).
    st.integers(1, 500).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, 500).map(
        lambda n: b'{"external_id": "x", "title": ' + b"[" * n + b"]" * n + b"}"
    ),
    st.just(b""),
    st.just(b"{}"),
)
raw_headers: AnyStrategy = st.sampled_from(["good"] * 12 + ["none", "unknown", "revoked", "bad"])
# Content types that lie about the body, and header values that aren't UTF-8.
raw_extra_headers: AnyStrategy = st.dictionaries(
    st.sampled_from(["content-type", "x-trace", "correlation_id", "reply_to"]),
    st.one_of(
        st.sampled_from([b"application/json", b"text/plain", b"application/octet-stream"]),
        st.binary(max_size=12),
    ),
    max_size=2,
)


async def test_raw_topic_rejects_every_bad_message_and_keeps_flowing(
    settings: Settings, topics: Topics, db: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    _, key = await create_platform(db, name="raw-fuzz")
    _, revoked = await create_platform(db, name="raw-revoked")
    await revoke_platform(db, name="raw-revoked")
    header_for = {
        "good": {"x-api-key": key},
        "none": {},
        "unknown": {"x-api-key": "gk_" + "0" * 43},
        "revoked": {"x-api-key": revoked},
        "bad": {"x-api-key": "🙂" * 300},
    }
    messages: list[tuple[bytes | None, bytes, Headers]] = []

    @settings_(max_examples=RAW_MESSAGES, database=None, phases=(Phase.generate,))
    @given(
        value=raw_values,
        who=raw_headers,
        k=st.one_of(st.none(), st.binary(max_size=20)),
        extra=raw_extra_headers,
    )
    def collect(value: bytes, who: str, k: bytes | None, extra: dict[str, bytes]) -> None:
        messages.append((k, value, {**extra, **header_for[who]}))

    collect()
    big = b'{"external_id": "big", "title": "' + b"x" * 70_000 + b'"}'
    messages += [(b"big", big, {"x-api-key": key})] * 3  # over this app's 64 kB
    cfg = settings.model_copy(update={"http": HttpSettings(max_body_bytes=64_000)})
    async with running(create_ingest(cfg), "http://ingest") as app:
        await produce(topics.gigs_raw, messages)
        rejected = await read_topic(topics.gigs_rejected, expect=len(messages), timeout=60)
        events = [GigRejected.model_validate_json(r.value) for r in rejected]
        got = Counter(base64.b64decode(e.original_b64) for e in events)
        want = Counter(value for _, value, _ in messages)
        assert got == want, {"missing": len(want - got), "extra": len(got - want)}
        assert all("x-api-key" not in e.original_headers for e in events)
        reasons = Counter(e.reason for e in events)
        print(f"\nraw fuzz: {len(messages)} messages, all rejected: {dict(reasons)}")  # noqa: T201

        # Nothing was stored, and the pipeline still takes a good gig.
        assert await db.fetchval("SELECT count(*) FROM gigs") == 0
        good = json.dumps({**GIG, "external_id": "after-raw-fuzz"}).encode()
        await produce(topics.gigs_raw, [(b"k", good, {"x-api-key": key})])

        async def stored() -> bool:
            return bool(await db.fetchval("SELECT count(*) FROM gigs") == 1)

        assert await wait_for(stored, timeout=30)
        assert (await app.client.get("/readyz")).status_code == 200
    assert not _ours_errors(caplog)


# ----------------------------------------------------------------------- known bugs
# What the fuzzers found outside this change's files: each reproduced on its own.


async def _status(client: httpx.AsyncClient, path: str, body: bytes, **headers: str) -> int:
    """The status, or 500 where the app raised (the ASGI transport re-raises)."""
    try:
        r = await client.post(
            path, content=body, headers={"Content-Type": "application/json", **headers}
        )
    except Exception:
        return 500
    return r.status_code


async def test_422_answers_never_fail_to_render(
    ingest: Running, web: Running, db: asyncpg.Connection
) -> None:
    _, key = await create_platform(db, name="nan")
    statuses = [
        await _status(web.client, "/v1/freelancers", b'{"display_name": NaN}'),
        await _status(web.client, "/v1/freelancers", b'{"display_name": 1e400}'),
        await _status(
            ingest.client,
            "/v1/gigs",
            b'{"external_id": "x", "title": Infinity}',
            **{"X-API-Key": key},
        ),
    ]
    for ctype in (None, "text/plain"):
        try:
            r = await ingest.client.post(
                "/v1/gigs",
                content=b"\x80\xff",
                headers={"X-API-Key": key, **({"Content-Type": ctype} if ctype else {})},
            )
            statuses.append(r.status_code)
        except UnicodeDecodeError:
            statuses.append(500)
    assert all(s < 500 for s in statuses), statuses


async def test_a_lone_surrogate_is_422_not_500(
    ingest: Running, web: Running, db: asyncpg.Connection
) -> None:
    _, key = await create_platform(db, name="surrogate")
    statuses = [
        await _status(web.client, "/v1/freelancers", b'{"display_name": "a\\ud800"}'),
        await _status(
            web.client, "/v1/freelancers", b'{"display_name": "a", "timezone": "\\udfff"}'
        ),
        await _status(
            ingest.client,
            "/v1/gigs",
            b'{"external_id": "x", "title": "\\ud800"}',
            **{"X-API-Key": key},
        ),
    ]
    assert all(s < 500 for s in statuses), statuses


async def test_a_nul_character_is_422_not_500(
    ingest: Running, web: Running, db: asyncpg.Connection
) -> None:
    _, key = await create_platform(db, name="nul")
    token = (await web.client.post("/v1/freelancers", json={"display_name": "x"})).json()["token"]
    statuses = [
        await _status(web.client, "/v1/freelancers", b'{"display_name": "a\\u0000b"}'),
        await _status(
            web.client,
            "/v1/subscriptions",
            b'{"keywords_any": ["\\u0000"]}',
            Authorization=f"Bearer {token}",
        ),
        await _status(
            ingest.client,
            "/v1/gigs",
            b'{"external_id": "x", "title": "a\\u0000"}',
            **{"X-API-Key": key},
        ),
    ]
    assert all(s < 500 for s in statuses), statuses


async def test_a_lone_surrogate_in_a_quoted_value_is_422_not_500(web: Running) -> None:
    """A validator that quotes an unknown value (domains) must never get a surrogate: pydantic
    itself raises UnicodeEncodeError building that message (found by the HTTP fuzzer)."""
    token = (await web.client.post("/v1/freelancers", json={"display_name": "x"})).json()["token"]
    for body in (b'{"domains": ["x\\ud800"]}', b'{"domains": ["pmo", "\\udfff"]}'):
        status = await _status(
            web.client, "/v1/subscriptions", body, Authorization=f"Bearer {token}"
        )
        assert status == 422, body


async def test_absurd_rates_and_days_are_rejected_not_500(
    ingest: Running, db: asyncpg.Connection
) -> None:
    _, key = await create_platform(db, name="absurd")
    statuses = []
    extras: list[dict[str, Any]] = [
        {"rate": "時給99999999999999999999999円"},
        {"rate": {"unit": "hour", "amount_min": 1e9, "currency": "USD"}},
        {"rate": {"unit": "month", "amount_min": 1e9, "hours_per_month_min": 1e-300}},
        {"days_per_week": {"min": 1e-300}},
    ]
    for i, extra in enumerate(extras):
        body = json.dumps({"external_id": f"absurd-{i}", "title": "PMO", **extra}).encode()
        statuses.append(await _status(ingest.client, "/v1/gigs", body, **{"X-API-Key": key}))
    assert all(s < 500 for s in statuses), statuses


async def test_raw_poison_past_validation_goes_to_rejected_and_does_not_block(
    ingest: Running, topics: Topics, db: asyncpg.Connection
) -> None:
    """A raw gig that passes validation but that Postgres refuses (U+0000) goes to
    gigs.rejected, and the gig behind it on the same partition is stored (it used to fail
    its whole batch forever: found by the fuzzer, fixed in raw_consumer.py)."""
    _, key = await create_platform(db, name="raw-poison")
    poison = json.dumps({"external_id": "poison", "title": "a\x00b"}).encode()
    good = json.dumps({**GIG, "external_id": "behind-the-poison"}).encode()
    await produce(
        topics.gigs_raw, [(b"p", poison, {"x-api-key": key}), (b"p", good, {"x-api-key": key})]
    )

    async def stored() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM gigs") == 1)

    assert await wait_for(stored, timeout=10)
    rejected = await read_topic(topics.gigs_rejected, expect=1, timeout=5)
    assert [
        base64.b64decode(GigRejected.model_validate_json(r.value).original_b64) for r in rejected
    ] == [poison]


async def test_a_non_ascii_unsubscribe_token_is_404_not_500(web: Running) -> None:
    statuses = []
    for method in ("GET", "POST"):
        for token in ("%C2%80.x", "é.AAAA", "購読.停止"):
            try:
                r = await web.client.request(method, f"/v1/unsubscribe/{token}")
                statuses.append(r.status_code)
            except TypeError:
                statuses.append(500)
    assert statuses == [404] * 6


async def test_raw_messages_the_broker_cannot_decode_go_to_rejected(
    ingest: Running, topics: Topics, db: asyncpg.Connection
) -> None:
    _, key = await create_platform(db, name="raw-undecodable")
    poison: list[tuple[bytes, Headers]] = [
        (b"[" * 5000 + b"]" * 5000, {"x-api-key": key}),
        (b"not json", {"x-api-key": key, "content-type": "application/json"}),
        (b"\xff\xfe", {"x-api-key": key, "content-type": "text/plain"}),
        (b"{}", {"x-api-key": b"\xff" + key.encode()}),
    ]
    good = json.dumps({**GIG, "external_id": "behind-the-undecodable"}).encode()
    messages: list[tuple[bytes | None, bytes, Headers]] = [
        (b"p", value, headers) for value, headers in poison
    ]
    # Headers that aren't UTF-8 are nobody's business but the platform's: the gig is stored.
    odd_headers: Headers = {"x-api-key": key, "x-trace": b"\xc3\x28"}
    await produce(topics.gigs_raw, [*messages, (b"p", good, odd_headers)])

    async def stored() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM gigs") == 1)

    assert await wait_for(stored, timeout=10)
    rejected = await read_topic(topics.gigs_rejected, expect=len(poison), timeout=3)
    originals = sorted(
        base64.b64decode(GigRejected.model_validate_json(r.value).original_b64) for r in rejected
    )
    assert originals == sorted(value for value, _ in poison)


async def test_a_tiny_max_days_per_week_is_422_not_500(web: Running) -> None:
    r = await web.client.post("/v1/freelancers", json={"display_name": "tiny"})
    auth = {"Authorization": f"Bearer {r.json()['token']}"}
    statuses = []
    for days in (1e-300, 5e-324, 1e-46):
        try:
            r = await web.client.post(
                "/v1/subscriptions", json={"max_days_per_week": days}, headers=auth
            )
            statuses.append(r.status_code)
        except Exception:
            statuses.append(500)
    assert all(s in (201, 422) for s in statuses), statuses


async def test_max_days_per_week_bounds_are_named_in_the_422(web: Running) -> None:
    r = await web.client.post("/v1/freelancers", json={"display_name": "bounds"})
    auth = {"Authorization": f"Bearer {r.json()['token']}"}
    for days in (1e-300, 0.49, 7.01, 0):
        r = await web.client.post(
            "/v1/subscriptions", json={"max_days_per_week": days}, headers=auth
        )
        assert r.status_code == 422, (days, r.text)
        assert [e["loc"] for e in r.json()["detail"]] == [["body", "max_days_per_week"]]
    for days in (0.5, 7):
        r = await web.client.post(
            "/v1/subscriptions", json={"max_days_per_week": days}, headers=auth
        )
        assert r.status_code == 201, r.text
        assert r.json()["max_days_per_week"] == days
