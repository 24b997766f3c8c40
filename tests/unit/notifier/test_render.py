"""Alert messages: Japanese and English templates, how the rate was normalised, why the gig
matched, escaping of platform text, digests and LINE's 5,000-character limit."""

from __future__ import annotations

import html
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from gigalert_notifier.render import LINE_MAX_CHARS, Rendered, render_alert, render_digest
from gigalert_shared.events import (
    AlertMatched,
    GigSummary,
    MatchReason,
    RateSource,
    RateUnit,
    RemoteMode,
    TaxBasis,
)

UNSUB = "https://gigalert.example/v1/unsubscribe/tok.sig"
MONTHLY_800K = RateSource(
    text="月額80万円",
    amount_min=800_000,
    amount_max=800_000,
    unit=RateUnit.MONTH,
    hours_divisor=160,
    convention="month ÷ 160h (standard)",
)


def gig(**overrides: Any) -> GigSummary:
    fields: dict[str, Any] = {
        "gig_id": uuid.uuid4(),
        "title": "PMO支援",
        "url": "https://jobs.example.jp/gigs/1?ref=a&x=1",
        "platform_name": "board",
        "domains": ["pmo"],
        "remote_mode": RemoteMode.REMOTE,
        "location": "東京都渋谷区",
        "rate_min_jpy_h": 5000,
        "rate_max_jpy_h": 5000,
        "rate_source": MONTHLY_800K,
        "days_per_week_min": 2,
        "days_per_week_max": 3,
    }
    fields.update(overrides)
    return GigSummary(**fields)


def reason(criterion: str, ja: str, en: str, ok: bool = True) -> MatchReason:
    return MatchReason(criterion=criterion, ok=ok, text_ja=ja, text_en=en)  # type: ignore[arg-type]


REMOTE = reason("remote_mode", "フルリモート", "Fully remote")
RATE = reason("rate", "時給4,500円以上（¥5,000/h）", "¥4,500/h or more (¥5,000/h)")
PMO = reason("domain", "分野: PMO", "Domain: PMO")


def alert(
    g: GigSummary | None = None, reasons: list[list[MatchReason]] | None = None
) -> AlertMatched:
    groups = reasons if reasons is not None else [[REMOTE, RATE]]
    subs = [uuid.uuid4() for _ in groups]
    return AlertMatched(
        alert_id=uuid.uuid4(),
        freelancer_id=uuid.uuid4(),
        gig=g or gig(),
        subscription_ids=subs,
        reasons={str(s): rs for s, rs in zip(subs, groups, strict=True)},
        created_at=datetime(2026, 5, 1, 3, 0, tzinfo=UTC),
    )


def utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


# ------------------------------------------------------------------ one alert, Japanese


def test_japanese_alert_has_every_fact_and_the_normalisation() -> None:
    r = render_alert(alert(), locale="ja", unsubscribe_url=UNSUB)
    assert r.subject == "【新着案件】PMO支援（フルリモート） ¥5,000/h"
    for expected in [
        "時給: ¥5,000/h（月額80万円 ÷ 160h）",
        "リモート: フルリモート",
        "稼働: 週2〜3日",
        "勤務地: 東京都渋谷区",
        "掲載元: board",
        "詳細: https://jobs.example.jp/gigs/1?ref=a&x=1",
        "この案件が届いた理由:",
        "✓ フルリモート",
        "✓ 時給4,500円以上（¥5,000/h）",
        f"この条件の通知を停止: {UNSUB}",
    ]:
        assert expected in r.text, expected
        assert expected in r.line_text, expected
    assert r.text.startswith("PMO支援\n")
    assert r.line_text.startswith("【新着案件】PMO支援\n")
    assert "Fully remote" not in r.text


def test_english_alert() -> None:
    r = render_alert(alert(), locale="en", unsubscribe_url=UNSUB)
    assert r.subject == "New gig: PMO支援 (fully remote) ¥5,000/h"
    for expected in [
        "Rate: ¥5,000/h (¥800,000/month ÷ 160h)",
        "Remote: Fully remote",
        "Days: 2–3 days/week",
        "Location: 東京都渋谷区",
        "Why you got this gig:",
        "✓ ¥4,500/h or more (¥5,000/h)",
        f"Stop alerts for this search: {UNSUB}",
    ]:
        assert expected in r.text, expected
    assert "フルリモート" not in r.text
    assert '<html lang="en">' in r.html


@pytest.mark.parametrize(
    ("locale", "subject_start"),
    [
        ("ja", "【新着案件】"),
        ("ja-JP", "【新着案件】"),
        ("en", "New gig:"),
        ("en-US", "New gig:"),
        ("EN_gb", "New gig:"),
        ("fr", "【新着案件】"),  # anything else: the default, Japanese
    ],
)
def test_locale_selects_the_language(locale: str, subject_start: str) -> None:
    assert render_alert(alert(), locale=locale, unsubscribe_url=None).subject.startswith(
        subject_start
    )


@pytest.mark.parametrize(
    ("mode", "ja", "en"),
    [
        (RemoteMode.REMOTE, "フルリモート", "fully remote"),
        (RemoteMode.HYBRID, "一部リモート", "partly remote"),
        (RemoteMode.ONSITE, "常駐", "on-site"),
    ],
)
def test_remote_modes(mode: RemoteMode, ja: str, en: str) -> None:
    a = alert(gig(remote_mode=mode))
    r_ja = render_alert(a, locale="ja", unsubscribe_url=None)
    r_en = render_alert(a, locale="en", unsubscribe_url=None)
    assert f"（{ja}）" in r_ja.subject and f"リモート: {ja}" in r_ja.text
    assert f"({en})" in r_en.subject and f"Remote: {en[0].upper()}{en[1:]}" in r_en.text


def test_unknown_facts() -> None:
    g = gig(
        remote_mode=None,
        rate_min_jpy_h=None,
        rate_max_jpy_h=None,
        rate_source=RateSource(),
        days_per_week_min=None,
        days_per_week_max=None,
        location=None,
        url=None,
    )
    r = render_alert(alert(g), locale="ja", unsubscribe_url=None)
    assert r.subject == "【新着案件】PMO支援"
    assert "時給: 不明" in r.text
    assert "リモート: 不明" in r.text and "稼働: 不明" in r.text
    assert "勤務地" not in r.text and "詳細" not in r.text
    en = render_alert(alert(g), locale="en", unsubscribe_url=None)
    assert "Rate: unknown" in en.text and en.subject == "New gig: PMO支援"


def test_unknown_rate_says_why() -> None:
    negotiable = gig(
        rate_min_jpy_h=None, rate_max_jpy_h=None, rate_source=RateSource(negotiable=True)
    )
    assert (
        "時給: 不明（応相談）"
        in render_alert(alert(negotiable), locale="ja", unsubscribe_url=None).text
    )
    assert (
        "Rate: unknown (negotiable)"
        in render_alert(alert(negotiable), locale="en", unsubscribe_url=None).text
    )
    annual = gig(
        rate_min_jpy_h=None, rate_max_jpy_h=None, rate_source=RateSource(text="年収900万円")
    )
    assert (
        "時給: 不明（掲載の記載: 年収900万円）"
        in render_alert(alert(annual), locale="ja", unsubscribe_url=None).text
    )


@pytest.mark.parametrize(
    ("lo", "hi", "source", "ja", "en"),
    [
        (
            5000,
            5000,
            RateSource(amount_min=5000, amount_max=5000, unit=RateUnit.HOUR, hours_divisor=1),
            "¥5,000/h",
            "¥5,000/h",
        ),
        (
            4500,
            6000,
            RateSource(amount_min=4500, amount_max=6000, unit=RateUnit.HOUR, hours_divisor=1),
            "¥4,500〜6,000/h",
            "¥4,500–6,000/h",
        ),
        (
            3750,
            3750,
            RateSource(amount_min=30000, amount_max=30000, unit=RateUnit.DAY, hours_divisor=8),
            "¥3,750/h（日給3万円 ÷ 8h）",
            "¥3,750/h (¥30,000/day ÷ 8h)",
        ),
        (
            3750,
            5000,
            RateSource(
                amount_min=600_000,
                amount_max=800_000,
                unit=RateUnit.MONTH,
                hours_per_month_min=140,
                hours_per_month_max=180,
                hours_divisor=160,
                tax_basis=TaxBasis.EXCLUDED,
            ),
            "¥3,750〜5,000/h（月額60〜80万円・税抜 ÷ 160h、精算幅140〜180h）",
            "¥3,750–5,000/h (¥600,000–800,000/month excl. tax ÷ 160h; settlement band 140–180h)",
        ),
        (
            6250,
            None,
            RateSource(amount_min=600_000, unit=RateUnit.MONTH, hours_divisor=96),
            "¥6,250/h〜（月額60万円〜 ÷ 96h）",
            "from ¥6,250/h (¥600,000/month ÷ 96h)",
        ),
        (
            6000,
            9000,
            RateSource(
                amount_min=40,
                amount_max=60,
                unit=RateUnit.HOUR,
                currency="USD",
                hours_divisor=1,
                fx_rate_to_jpy=150,
            ),
            "¥6,000〜9,000/h（時給$40〜60 × 150円）",
            "¥6,000–9,000/h ($40–60/hour × ¥150)",
        ),
        (
            5000,
            5000,
            RateSource(
                amount_min=500_000, amount_max=500_000, unit=RateUnit.PROJECT, hours_divisor=100
            ),
            "¥5,000/h（案件総額50万円 ÷ 100h）",
            "¥5,000/h (¥500,000 per project ÷ 100h)",
        ),
    ],
)
def test_rate_with_how_it_was_normalised(
    lo: int, hi: int | None, source: RateSource, ja: str, en: str
) -> None:
    g = gig(rate_min_jpy_h=lo, rate_max_jpy_h=hi, rate_source=source)
    assert f"時給: {ja}" in render_alert(alert(g), locale="ja", unsubscribe_url=None).text
    assert f"Rate: {en}" in render_alert(alert(g), locale="en", unsubscribe_url=None).text


@pytest.mark.parametrize(
    ("lo", "hi", "ja", "en"),
    [
        (2, 3, "週2〜3日", "2–3 days/week"),
        (5, 5, "週5日", "5 days/week"),
        (1, 1, "週1日", "1 day/week"),
        (2.5, 3, "週2.5〜3日", "2.5–3 days/week"),
        (4, None, "週4日〜", "4+ days/week"),
        (None, 3, "週3日まで", "up to 3 days/week"),
    ],
)
def test_days_per_week(lo: float | None, hi: float | None, ja: str, en: str) -> None:
    g = gig(days_per_week_min=lo, days_per_week_max=hi)
    assert f"稼働: {ja}" in render_alert(alert(g), locale="ja", unsubscribe_url=None).text
    assert f"Days: {en}" in render_alert(alert(g), locale="en", unsubscribe_url=None).text


def test_reasons_of_every_subscription_in_order() -> None:
    a = alert(
        reasons=[
            [REMOTE, RATE],
            [PMO, reason("keyword", "キーワード: 広報", "Keyword: PR", ok=False)],
        ]
    )
    ja = render_alert(a, locale="ja", unsubscribe_url=None)
    lines = ja.text.splitlines()
    start = lines.index("この案件が届いた理由:")
    assert lines[start + 1 : start + 7] == [
        "[保存条件 1]",
        "✓ フルリモート",
        "✓ 時給4,500円以上（¥5,000/h）",
        "[保存条件 2]",
        "✓ 分野: PMO",
        "△ キーワード: 広報",
    ]
    en = render_alert(a, locale="en", unsubscribe_url=None)
    for text in ["Fully remote", "Domain: PMO", "Keyword: PR"]:
        assert text in en.text and text in en.markdown and html.escape(text) in en.html
    assert "分野" not in en.text


def test_no_unsubscribe_link_when_none_is_given() -> None:
    r = render_alert(alert(), locale="ja", unsubscribe_url=None)
    assert "通知を停止" not in r.text + r.html + r.markdown + r.line_text


# ------------------------------------------------------------------ hostile platform text

HOSTILE_TITLE = "<script>alert(\"x\")</script> & <!channel> [win](https://evil.example) 'q'"


def test_html_escapes_every_platform_field() -> None:
    g = gig(
        title=HOSTILE_TITLE,
        location="<b>Tokyo</b>",
        platform_name="<img src=x onerror=alert(1)>",
        url='https://jobs.example.jp/"><script>x</script>',
        rate_min_jpy_h=None,
        rate_max_jpy_h=None,
        rate_source=RateSource(text="<i>応談</i>"),
    )
    a = alert(g, [[reason("keyword", "<u>PMO</u>", "<u>PMO</u>")]])
    for locale in ("ja", "en"):
        r = render_alert(a, locale=locale, unsubscribe_url=UNSUB)
        for raw in ["<script>", "<b>", "<img", "<i>", "<u>", '"><']:
            assert raw not in r.html, raw
        assert html.escape(HOSTILE_TITLE, quote=True) in r.html
        assert "&lt;b&gt;Tokyo&lt;/b&gt;" in r.html
        assert "&lt;u&gt;PMO&lt;/u&gt;" in r.html
        # the URL with a quote in it is not linked at all
        assert "jobs.example.jp" not in r.html
        assert "jobs.example.jp" not in r.text


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,x",
        "ftp://x.jp/a",
        "https://a b.jp",
        "https://x.jp/a\n",
        "https://x.jp/<a>",
        "",
    ],
)
def test_only_plain_http_links(url: str) -> None:
    r = render_alert(alert(gig(url=url)), locale="ja", unsubscribe_url=None)
    assert "href" not in r.html.split("<body", 1)[1].split("gigalert からの")[0]
    assert url not in r.markdown or url == ""


def test_markdown_neutralises_slack_control_sequences() -> None:
    r = render_alert(alert(gig(title=HOSTILE_TITLE)), locale="ja", unsubscribe_url=UNSUB)
    assert "<!channel>" not in r.markdown
    assert "\\<!channel\\>" in r.markdown
    assert "\\[win\\](https://evil.example)" in r.markdown
    assert "(<https://jobs.example.jp/gigs/1?ref=a&x=1>)" in r.markdown
    assert f"(<{UNSUB}>)" in r.markdown


def test_line_breaks_and_control_characters_are_flattened() -> None:
    g = gig(title="PMO\r\n支援\tBcc: x@evil.jp\x00\u2028終\u202egpj.exe")
    r = render_alert(alert(g), locale="ja", unsubscribe_url=None)
    assert r.subject == "【新着案件】PMO 支援 Bcc: x@evil.jp 終 gpj.exe（フルリモート） ¥5,000/h"
    assert "\r" not in r.text and "\x00" not in r.text


def test_long_titles_are_shortened() -> None:
    r = render_alert(alert(gig(title="案" * 500)), locale="ja", unsubscribe_url=None)
    assert "案" * 79 + "…" in r.subject and "案" * 80 not in r.subject
    assert "案" * 199 + "…" in r.text and "案" * 200 not in r.text


# ------------------------------------------------------------------ digests


def test_digest_subjects() -> None:
    alerts = [alert(gig(title=f"案件{i}")) for i in range(3)]
    assert render_digest(alerts, locale="ja", unsubscribe_url=None).subject == (
        "【gigalert】新着案件 3件のまとめ"
    )
    assert render_digest(alerts, locale="en", unsubscribe_url=None).subject == (
        "[gigalert] 3 new gigs"
    )
    assert render_digest(alerts[:1], locale="en", unsubscribe_url=None).subject == (
        "[gigalert] 1 new gig"
    )


def test_digest_lists_every_gig_with_its_reasons() -> None:
    alerts = [
        alert(gig(title="PMO支援"), [[REMOTE, RATE]]),
        alert(gig(title="広報<PR>", remote_mode=RemoteMode.HYBRID), [[PMO], [REMOTE]]),
        alert(
            gig(
                title="SEO",
                url=None,
                rate_min_jpy_h=None,
                rate_max_jpy_h=None,
                rate_source=RateSource(negotiable=True),
            ),
            [[RATE]],
        ),
    ]
    r = render_digest(alerts, locale="ja", unsubscribe_url=UNSUB)
    assert "1. PMO支援" in r.text and "2. 広報<PR>" in r.text and "3. SEO" in r.text
    assert "この案件が届いた理由: 分野: PMO、フルリモート" in r.text
    assert "時給: 不明（応相談）" in r.text
    assert r.text.index("PMO支援") < r.text.index("広報") < r.text.index("SEO")
    assert "広報&lt;PR&gt;" in r.html and "<PR>" not in r.html
    assert r.html.count("<li ") == 3
    assert "広報\\<PR\\>" in r.markdown
    assert UNSUB in r.text and UNSUB in r.html and UNSUB in r.markdown
    assert r.line_text == r.text  # it fits


def test_an_empty_digest_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        render_digest([], locale="ja", unsubscribe_url=None)


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_long_digest_fits_line_and_says_how_many_were_left_out(locale: str) -> None:
    alerts = [alert(gig(title=f"案件{i:03d} " + "長い説明🙂" * 30)) for i in range(120)]
    r = render_digest(alerts, locale=locale, unsubscribe_url=UNSUB)
    assert utf16(r.line_text) <= LINE_MAX_CHARS
    assert utf16(r.text) > LINE_MAX_CHARS  # the other formats are complete
    shown = sum(1 for i in range(120) if f"案件{i:03d} " in r.line_text)
    assert 0 < shown < 120
    note = f"…ほか{120 - shown}件" if locale == "ja" else f"…and {120 - shown} more"
    assert note in r.line_text
    assert r.line_text.rstrip().endswith(UNSUB)  # the unsubscribe link is never cut off
    # whole gigs only: the last one shown is complete
    last = f"案件{shown - 1:03d} "
    assert r.line_text.index(last) < r.line_text.index(note)


def test_a_single_huge_alert_is_cut_safely_for_line() -> None:
    many = [reason("keyword", "🙂" * 150 + str(i), "x") for i in range(60)]
    r = render_alert(alert(reasons=[many]), locale="ja", unsubscribe_url=None)
    assert utf16(r.text) > LINE_MAX_CHARS
    assert utf16(r.line_text) <= LINE_MAX_CHARS
    assert r.line_text.endswith("…")
    r.line_text.encode("utf-8")  # no lone surrogate: whole characters only


def test_rendered_is_frozen() -> None:
    r = render_alert(alert(), locale="ja", unsubscribe_url=None)
    assert isinstance(r, Rendered)
    with pytest.raises(AttributeError):
        r.subject = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("lo", "hi", "source", "ja", "en"),
    [
        (0, 0, RateSource(unpaid=True), "無償（無報酬）", "unpaid (volunteer)"),
        (
            None,
            None,
            RateSource(amount_min=4_500_000, amount_max=4_500_000, unit=RateUnit.YEAR),
            "年収450万円（時給換算なし）",
            "¥4,500,000 per year (no hourly figure)",
        ),
        (
            None,
            None,
            RateSource(amount_min=40_000, amount_max=55_000, unit=RateUnit.YEAR, currency="USD"),
            "年収$40,000〜55,000（時給換算なし）",
            "$40,000–55,000 per year (no hourly figure)",
        ),
        (
            None,
            None,
            RateSource(amount_min=8000, amount_max=8000, unit=RateUnit.PIECE),
            "1件8,000円（時給換算なし）",
            "¥8,000 per piece (no hourly figure)",
        ),
        (
            None,
            None,
            RateSource(
                amount_min=50_000, amount_max=50_000, unit=RateUnit.MONTH, implausible_min_jpy_h=313
            ),
            "月額5万円（時給換算なし）",
            "¥50,000/month (no hourly figure)",
        ),
    ],
    ids=["unpaid", "yearly", "yearly USD", "piece", "implausible"],
)
def test_rate_shows_only_figures_the_listing_gave(
    lo: int | None, hi: int | None, source: RateSource, ja: str, en: str
) -> None:
    g = gig(rate_min_jpy_h=lo, rate_max_jpy_h=hi, rate_source=source)
    ja_text = render_alert(alert(g), locale="ja", unsubscribe_url=None).text
    en_text = render_alert(alert(g), locale="en", unsubscribe_url=None).text
    assert f"時給: {ja}" in ja_text
    assert f"Rate: {en}" in en_text
    assert "¥0" not in ja_text + en_text and "313" not in ja_text + en_text
