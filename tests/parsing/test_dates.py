from __future__ import annotations

from datetime import date

import pytest

from service.parsing.dates import event_date

FRIDAY = date(2025, 11, 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The decision, announced on Thursday, surprised many.", date(2025, 11, 6)),
        ("Talks resumed on Friday in Geneva.", FRIDAY),
        ("The summit opened Monday evening with a dinner.", date(2025, 11, 3)),
        ("Officials met on Saturday.", date(2025, 11, 1)),  # the Saturday before, not after
        ("The minister resigned yesterday.", date(2025, 11, 6)),
        ("No day is named here.", None),
        ("A Thursday-night show is a programme, not a date.", None),
    ],
)
def test_event_date_resolves_relative_days(text: str, expected: date | None) -> None:
    assert event_date(text, FRIDAY) == expected
