"""The matching rules: THE definition. Everything else (the SQL reference in
:mod:`.reference_sql`, the in-memory :class:`~.index.SubscriptionIndex`) must agree with
:func:`matches`, and the tests hold them to it.

A gig matches a subscription when every criterion passes:

remote_modes
    The gig's remote mode is one the subscription accepts. ``hybrid`` is not ``remote``:
    a remote-only subscription does not get a hybrid (一部リモート) gig. A gig whose remote
    mode is unknown (``None``) matches only a subscription that accepts all three modes.
    An empty set accepts nothing.

min_rate_jpy_h / include_unknown_rate
    No floor (``None``): pass. Otherwise the gig's figure is ``rate_max_jpy_h`` when known,
    else ``rate_min_jpy_h``. A known figure passes iff ``figure > 0 and figure >= floor``: a
    rate equal to the floor matches, and a range matches when its maximum reaches the floor.
    Unpaid work (無報酬, volunteer) has the known figure 0: it passes no floor, not even a
    floor of 0 (a floor asks for paid work), and it is not "unknown". A gig with no hourly
    figure at all (both unknown: 応相談, fixed price, per piece, yearly pay without stated
    hours, an implausible figure kept aside) passes iff ``include_unknown_rate``.

domains
    Empty: any domain. Otherwise the subscription's and the gig's domains must share at
    least one key (a gig with no domain matches only "any").

keywords_any / keywords_none
    Matched as substrings of the gig's ``search_text`` (title, description and skills after
    NFKC + casefold, so ``ＰＭＯ``, ``pmo`` and ``PMO`` are the same; Japanese needs no word
    boundaries). ``keywords_any`` empty: pass; otherwise at least one keyword occurs.
    ``keywords_none``: no keyword occurs.

max_days_per_week
    No limit (``None``): pass. A gig with unknown days (both ends unknown) passes any limit.
    Otherwise the gig's least commitment, ``days_min`` (``days_max`` if only that is known),
    must be ``<=`` the limit: a 2-days-a-week side job excludes 週3〜5日 but accepts 週2〜3日.

locations
    Empty: pass. A fully remote gig passes whatever the locations (they apply to gigs that
    are not remote: hybrid, on-site and unknown). Otherwise the gig's location must be known
    and contain one of the locations as a substring (``東京`` matches ``東京都渋谷区``).
"""

from __future__ import annotations

from gigalert_shared.matching.criteria import ALL_REMOTE_MODES, Criteria, GigFacts

__all__ = [
    "days_ok",
    "domains_ok",
    "gig_days",
    "gig_rate",
    "keywords_any_ok",
    "keywords_none_ok",
    "location_ok",
    "matches",
    "rate_ok",
    "remote_ok",
]


def gig_rate(g: GigFacts) -> int | None:
    """The figure compared with a floor: the top of the range, else its bottom."""
    return g.rate_max_jpy_h if g.rate_max_jpy_h is not None else g.rate_min_jpy_h


def gig_days(g: GigFacts) -> float | None:
    """The figure compared with a day limit: the least the gig asks for."""
    return g.days_min if g.days_min is not None else g.days_max


def remote_ok(c: Criteria, g: GigFacts) -> bool:
    if g.remote_mode is None:
        return c.remote_modes >= ALL_REMOTE_MODES
    return g.remote_mode in c.remote_modes


def rate_ok(c: Criteria, g: GigFacts) -> bool:
    if c.min_rate_jpy_h is None:
        return True
    figure = gig_rate(g)
    if figure is None:
        return c.include_unknown_rate
    return figure > 0 and figure >= c.min_rate_jpy_h


def domains_ok(c: Criteria, g: GigFacts) -> bool:
    return not c.domains or not c.domains.isdisjoint(g.domains)


def keywords_any_ok(c: Criteria, g: GigFacts) -> bool:
    return not c.keywords_any or any(k in g.search_text for k in c.keywords_any)


def keywords_none_ok(c: Criteria, g: GigFacts) -> bool:
    return not any(k in g.search_text for k in c.keywords_none)


def days_ok(c: Criteria, g: GigFacts) -> bool:
    if c.max_days_per_week is None:
        return True
    days = gig_days(g)
    return days is None or days <= c.max_days_per_week


def location_ok(c: Criteria, g: GigFacts) -> bool:
    if not c.locations or g.remote_mode == "remote":
        return True
    location = g.location
    return location is not None and any(loc in location for loc in c.locations)


def matches(c: Criteria, g: GigFacts) -> bool:
    """Whether gig ``g`` fits subscription ``c``: every criterion passes."""
    return (
        remote_ok(c, g)
        and rate_ok(c, g)
        and domains_ok(c, g)
        and days_ok(c, g)
        and location_ok(c, g)
        and keywords_any_ok(c, g)
        and keywords_none_ok(c, g)
    )
