"""The light reads of pages that need no channel's "used by" list nor a search's criteria:
a freelancer's channel ids, a form's channel choices, the home checklist, the history's
search filter; each only the freelancer's own rows."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from gigalert_web.repository import accounts, channels, searches
from gigalert_web.schemas import SubscriptionIn
from gigalert_web.subscriptions import stored_values


async def _account(db: asyncpg.Connection, name: str) -> UUID:
    made = await accounts.insert(
        db, display_name=name, locale="ja", timezone="Asia/Tokyo", email=f"{name}@example.jp"
    )
    return made.id


async def test_a_freelancers_channels_by_id_and_as_choices(db: asyncpg.Connection) -> None:
    owner, other = await _account(db, "owner"), await _account(db, "other")
    mail = await channels.insert(
        db, freelancer_id=owner, kind="email", target="a@example.jp", verified_at=datetime.now(UTC)
    )
    line = await channels.insert(db, freelancer_id=owner, kind="line")
    await channels.insert(db, freelancer_id=other, kind="email", target="b@example.jp")

    assert await channels.ids_of(db, freelancer_id=owner) == {mail, line}
    choices = await channels.choices_for(db, freelancer_id=owner)
    assert [(c.id, c.kind, c.target) for c in choices] == [
        (mail, "email", "a@example.jp"),
        (line, "line", None),
    ]
    assert await channels.ids_of(db, freelancer_id=await _account(db, "new")) == set()


async def test_the_home_checklist_counts_only_proven_channels(db: asyncpg.Connection) -> None:
    owner = await _account(db, "owner")
    other = await _account(db, "other")
    await channels.insert(db, freelancer_id=other, kind="email", verified_at=datetime.now(UTC))
    await searches.insert(db, freelancer_id=other, values=stored_values(SubscriptionIn()))

    async def progress() -> accounts.SetupProgress:
        return await accounts.setup_progress(db, freelancer_id=owner)

    assert await progress() == accounts.SetupProgress(has_channel=False, has_search=False)
    await channels.insert(db, freelancer_id=owner, kind="email", target="a@example.jp")
    assert await progress() == accounts.SetupProgress(has_channel=False, has_search=False)
    await channels.insert(db, freelancer_id=owner, kind="slack", verified_at=datetime.now(UTC))
    await searches.insert(db, freelancer_id=owner, values=stored_values(SubscriptionIn()))
    assert await progress() == accounts.SetupProgress(has_channel=True, has_search=True)


async def test_the_history_filter_offers_own_searches_by_name(db: asyncpg.Connection) -> None:
    owner, other = await _account(db, "owner"), await _account(db, "other")
    first = await searches.insert(
        db, freelancer_id=owner, values=stored_values(SubscriptionIn(name="PMO"))
    )
    second = await searches.insert(
        db, freelancer_id=owner, values=stored_values(SubscriptionIn(name="広報"))
    )
    await searches.insert(db, freelancer_id=other, values=stored_values(SubscriptionIn()))
    found = await searches.choices_for(db, freelancer_id=owner)
    assert [(s.id, s.name) for s in found] == [(first.id, "PMO"), (second.id, "広報")]
