"""The kinds of work a listing names: taxonomy keys from its category, title, skills and
description (:mod:`gigalert_shared.taxonomy` finds the words; this module decides which of
them name the job's work).

Rules:

* **Head**: the title, the skills and the category. A domain named in the title only inside
  brackets, beside a title that names work outside them, is a name (a media's, a company's:
  ``Webライター募集（俺のSEO対策）`` is writing) and does not count; nor does a company
  name (``guest posts on Haelix Communications``) or a theme the role works on
  (``人材還流DXに携わるプロジェクトマネージャー``) beside other work the title names.
* **A contradicted category**: when the title names work, and neither it nor the
  description names the category's, the category was mis-chosen (``ウェブデザイン`` on an
  ``SNS運用サポート`` job whose description is about marketing) and does not count.
* **Description**: its sentences add the work they name, except sentences about skills or
  experience (``歓迎: Ads APIの知識``, ``experienced with web design``, ``… are given
  priority``), about the employer (``弊社は、DXを通じて…``), and words that are not work
  (``自己PR``, ``開発中の商品``, ``advisory committee``).
* **A writing job's topics**: when the head is writing alone, the description's other words
  are what the writing is about (``Data engineering tutorials``), so only ``pr`` (the
  writing as the organisation's own 発信) is added.
* Nothing named anywhere → no key (the caller makes it ``other``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from gigalert_shared.taxonomy import (
    DOMAIN_ORDER,
    domain_keys_in,
    domains_from_description,
    normalise_text,
)

__all__ = ["listing_domains"]

_ORDER = {k: i for i, k in enumerate(DOMAIN_ORDER)}

# Brackets in a title: 【…】 and （…） (NFKC folds （） to ()).
_BRACKETED = re.compile(r"【[^】]*】|\([^)]*\)|「[^」]*」|\[[^\]]*\]")

_SENTENCE = re.compile(r"[。!?\n○●■◆★→|]|(?<=[a-z0-9)]\.)\s+")
# A sentence about what the candidate must know or has done, or about the employer.
_NOT_THE_WORK = re.compile(
    r"経験|歓迎|必須|知識|資格|尚可|弊社|当社|私たちは"
    r"|experience|knowledge|familiar|proficien|given\s+priority|preferred|nice\s+to\s+have"
    r"|qualifications|requirements"
)
# Words that hold a synonym but name no work.
_NO_WORK_WORDS = re.compile(
    r"自己\s*(?:pr|アピール)|開発中の(?:商品|製品)|advisory\s+(?:committee|board|council)"
    # 発信を行っているSNSチームで: what the team already does, not the job
    r"|[^。、]{0,20}を行っている[^。、]{0,8}チーム"
)


_NONE: frozenset[str] = frozenset()
_WRITING = frozenset({"writing"})
_PR = frozenset({"pr"})


@lru_cache(maxsize=1024)  # few combinations of keys occur
def _in_order(keys: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(keys, key=_ORDER.__getitem__))


def _by_order(keys: frozenset[str]) -> list[str]:
    return list(_in_order(keys))


# A company or media name in an English title: "guest posts on Haelix Communications".
_ORG_NAME = re.compile(
    r"\b(?:on|at|for|with|by|from)\s+(?:[A-Z][\w&.'-]*\s+){1,3}"
    r"(?:Communications|Marketing|Media|Design|Consulting|Data|Analytics|Advertising|PR)"
    r"(?:\s+(?:LLC|Inc|Ltd|Group|Agency|Co)\b\.?)?(?=\s*(?:[-|,:(]|$))"
)
# 人材還流DXに携わるプロジェクトマネージャー: the theme the role works on, not the work.
_THEME = re.compile(r"[^\s、。・|/]{1,12}?に(?:携わる|関わる|取り組む)(?=[^\s、。]{2,})")


_BRACKET_CHARS = frozenset("(（【「[［")
_ORG_WORDS = frozenset({"pr", "marketing", "design", "consulting", "data", "advertising"})


def _title_keys(title: str) -> frozenset[str]:
    """The title's keys, less names, themes and brackets (see the rules). Cheap for most
    titles: each check runs only when its telltale is there."""
    keys = domain_keys_in(title)
    if not keys:
        return keys
    if not _ORG_WORDS.isdisjoint(keys) and (m := _ORG_NAME.search(title)):
        title = title[: m.start()] + " " + title[m.end() :]  # a name is never the work
        keys = domain_keys_in(title)
    if "に" in title and (m := _THEME.search(title)) is not None:
        rest = domain_keys_in(title[: m.start()] + " " + title[m.end() :])
        if rest:  # the title still names work without the theme
            keys = rest
    if keys and not _BRACKET_CHARS.isdisjoint(title):
        folded = normalise_text(title)
        outside = domain_keys_in(_BRACKETED.sub(" ", folded)) & keys
        if outside:
            kept = set(outside)
            for bracket in _BRACKETED.findall(folded):
                inside = domain_keys_in(bracket)
                if not inside.isdisjoint(outside):  # (羽村市魅力発信市民記者): the role
                    kept |= inside
            keys = frozenset(kept)
    return keys


@lru_cache(maxsize=1024)  # bulk feeds repeat boilerplate descriptions
def _described(description: str) -> frozenset[str]:
    s = normalise_text(description)
    if _NO_WORK_WORDS.search(s):
        s = _NO_WORK_WORDS.sub(" ", s)
    if _NOT_THE_WORK.search(s):
        s = "。".join(p for p in _SENTENCE.split(s) if not _NOT_THE_WORK.search(p))
    return frozenset(domains_from_description(s))


def listing_domains(category: str, title: str, skills: list[str], description: str) -> list[str]:
    """The taxonomy keys a listing names as its work, in taxonomy order (see the rules)."""
    head = _title_keys(title)
    for skill in skills:
        head |= domain_keys_in(skill)
    categorised = domain_keys_in(category)
    if not description:
        return _by_order(head | categorised)
    described = _described(description)
    if head and categorised and categorised.isdisjoint(head | described):
        categorised = _NONE  # the title and description show it was mis-chosen
    head |= categorised
    if head == _WRITING:
        return _by_order(head | (described & _PR))
    return _by_order(head | described)
