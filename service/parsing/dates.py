"""Relative days in news text ("announced on Thursday") resolved against the publication date."""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_RELATIVE = re.compile(
    r"\b(?:(?:on|last|this|late|early)\s+(?P<weekday>" + "|".join(WEEKDAYS) + r")"
    r"|(?P<weekday2>" + "|".join(WEEKDAYS) + r")\s+(?:morning|afternoon|evening|night)"
    r"|(?P<offset>yesterday|today|tonight))\b",
    re.IGNORECASE,
)


def event_date(text: str, published: date) -> date | None:
    """The day the first relative day mention names: a weekday is the latest one on or before
    the publication date (news reports the past), "yesterday" the day before. None when there is
    no mention, or when the day falls before the calendar's first (published on 0001-01-01)."""
    match = _RELATIVE.search(text)
    if match is None:
        return None
    if match.group("offset"):
        back = 1 if match.group("offset").lower() == "yesterday" else 0
    else:
        name = (match.group("weekday") or match.group("weekday2")).capitalize()
        back = (published.weekday() - WEEKDAYS.index(name)) % 7
    try:
        return published - timedelta(days=back)
    except OverflowError:
        return None
