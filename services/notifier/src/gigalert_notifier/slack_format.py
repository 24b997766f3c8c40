"""An alert, or a digest, as Slack markdown (CommonMark that Apprise converts to mrkdwn;
platform text escaped by :func:`~gigalert_notifier.escaping.md`)."""

from __future__ import annotations

from gigalert_notifier.escaping import md, safe_url
from gigalert_notifier.gig_facts import Facts, mark, plain, reason_groups
from gigalert_notifier.wording import WORDS, Lang
from gigalert_shared.events import AlertMatched


def md_facts(facts: Facts, *, indent: str = "") -> list[str]:
    return [f"{indent}• **{md(label)}**: {md(value)}" for label, value in facts.rows]


def md_link(label: str, url: str) -> str:
    return f"[{md(label)}](<{url}>)"


def md_title(facts: Facts) -> str:
    if facts.url:
        return f"**{md_link(facts.title, facts.url)}**"
    return f"**{md(facts.title)}**"


def md_footer(unsubscribe_url: str | None, lang: Lang) -> list[str]:
    url = safe_url(unsubscribe_url)
    if not url:
        return []
    return ["", md_link(WORDS[lang]["unsubscribe"], url)]


def alert_markdown(alert: AlertMatched, facts: Facts, lang: Lang, unsub: str | None) -> str:
    w = WORDS[lang]
    lines = [md_title(facts), *md_facts(facts)]
    groups = reason_groups(alert, lang)
    if groups:
        lines += ["", f"**{md(w['why'])}**"]
        for i, group in enumerate(groups, start=1):
            if len(groups) > 1:
                lines.append(f"_{md(w['search'])} {i}_")
            lines += [f"{mark(ok)} {md(plain(text))}" for ok, text in group]
    lines += md_footer(unsub, lang)
    return "\n".join(lines)


def digest_md_block(i: int, facts: Facts, why: str, lang: Lang) -> str:
    lines = [f"{i}. {md_title(facts)}", *md_facts(facts, indent="    ")]
    if why:
        lines.append(f"    _{md(WORDS[lang]['why'])}_: {md(why)}")
    return "\n".join(lines)


def digest_markdown(subject: str, blocks: list[str], lang: Lang, unsub: str | None) -> str:
    markdown = "\n\n".join([f"**{md(subject)}**", *blocks])
    return markdown + "\n".join(["", *md_footer(unsub, lang)])
