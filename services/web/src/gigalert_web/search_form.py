"""The saved-search form as a SubscriptionIn, and back. Pure: the page and the JSON API
check a search with the same model."""

from __future__ import annotations

import re
from datetime import time
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from gigalert_web.repository.searches import Search
from gigalert_web.schemas import SubscriptionIn

_SPLIT = re.compile(r"[,、，\s]+")


def words(value: str | None) -> list[str]:
    return [w for w in _SPLIT.split(value or "") if w]


def _int(value: str | None) -> int | None:
    """Digits (commas and full-width forgiven) or nothing; anything else is a ValueError."""
    folded = (value or "").strip().replace(",", "").replace("，", "")
    if not folded:
        return None
    folded = folded.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not folded.isascii() or not folded.isdigit() or len(folded) > 9:
        raise ValueError(value)
    return int(folded)


def _time(value: str | None) -> time | None:
    value = (value or "").strip()
    return time.fromisoformat(value) if value else None


def form_to_subscription(form: dict[str, Any]) -> tuple[SubscriptionIn | None, dict[str, str]]:
    """The model, or field-level messages keyed by form field name."""
    errors: dict[str, str] = {}
    raw: dict[str, Any] = {"name": (form.get("name") or "").strip() or "マイ条件"}
    raw["remote_modes"] = form.get("remote_modes") or []
    try:
        raw["min_rate_jpy_h"] = _int(form.get("min_rate_jpy_h"))
    except ValueError:
        errors["min_rate_jpy_h"] = "number"
    raw["include_unknown_rate"] = form.get("include_unknown_rate") == "on"
    raw["domains"] = form.get("domains") or []
    raw["keywords_any"] = words(form.get("keywords_any"))
    raw["keywords_none"] = words(form.get("keywords_none"))
    days = (form.get("max_days_per_week") or "").strip()
    raw["max_days_per_week"] = float(days) if days and _is_number(days) else None
    raw["locations"] = words(form.get("locations"))
    raw["frequency"] = form.get("frequency") or "instant"
    for key in ("digest_hour", "weekly_day"):
        value = (form.get(key) or "").strip()
        raw[key] = int(value) if value.isdigit() else None
    for key in ("quiet_start", "quiet_end"):
        try:
            raw[key] = _time(form.get(key))
        except ValueError:
            errors[key] = "time"
    chosen = form.get("channel_ids") or []
    if form.get("all_channels") == "on" or not chosen:
        raw["channel_ids"] = None
    else:
        try:
            raw["channel_ids"] = [UUID(c) for c in chosen]
        except ValueError:
            errors["channel_ids"] = "channel"
    if errors:
        return None, errors
    try:
        return SubscriptionIn.model_validate(raw), {}
    except ValidationError as exc:
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "form"
            errors[field] = str(err["msg"]).removeprefix("Value error, ")
        return None, errors


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _clock(value: time | None) -> str:
    return "" if value is None else value.strftime("%H:%M")


def subscription_to_form(search: Search) -> dict[str, Any]:
    """A stored search as the form's values."""
    days = search.max_days_per_week
    return {
        "name": search.name,
        "remote_modes": list(search.remote_modes),
        "min_rate_jpy_h": "" if search.min_rate_jpy_h is None else str(search.min_rate_jpy_h),
        "include_unknown_rate": bool(search.include_unknown_rate),
        "domains": list(search.domains),
        "keywords_any": ", ".join(search.keywords_any),
        "keywords_none": ", ".join(search.keywords_none),
        "max_days_per_week": "" if days is None else f"{days:g}",
        "locations": ", ".join(search.locations),
        "frequency": search.frequency,
        "digest_hour": search.digest_hour,
        "weekly_day": search.weekly_day,
        "quiet_start": _clock(search.quiet_start),
        "quiet_end": _clock(search.quiet_end),
        "channel_ids": [str(c) for c in (search.channel_ids or [])],
    }


DEFAULT_FORM: dict[str, Any] = {
    "name": "",
    "remote_modes": ["remote", "hybrid", "onsite"],
    "min_rate_jpy_h": "",
    "include_unknown_rate": True,
    "domains": [],
    "keywords_any": "",
    "keywords_none": "",
    "max_days_per_week": "",
    "locations": "",
    "frequency": "instant",
    "digest_hour": 8,
    "weekly_day": 0,
    "quiet_start": "",
    "quiet_end": "",
    "channel_ids": [],
}
