from __future__ import annotations

import pytest

from service.parsing.agreements import find_agreements


def _members(text: str) -> dict[str, dict[str, tuple[str, str | None]]]:
    return {
        a.name: {m.country: (m.status.value, m.date) for m in a.members} for a in find_agreements(text)
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Morocco joined the Abraham Accords in December 2020.",
            {"Abraham Accords": {"MA": ("MEMBER", "December 2020")}},
        ),
        (
            "Israel and Bahrain signed the Abraham Accords in 2020.",
            {"Abraham Accords": {"IL": ("MEMBER", "2020"), "BH": ("MEMBER", "2020")}},
        ),
        (
            "Brazil will join the Paris Agreement next year.",
            {"Paris Agreement": {"BR": ("JOINING", None)}},
        ),
        (
            "The Camp David Accords came first. The other signatories: Egypt and Israel.",
            {"Camp David Accords": {"EG": ("MEMBER", None), "IL": ("MEMBER", None)}},
        ),
        (
            "Unlike the signatories of the Minsk Agreement — Russia and Ukraine — France hesitated.",
            {"Minsk Agreement": {"RU": ("MEMBER", None), "UA": ("MEMBER", None)}},
        ),
        (
            "Chile Signs Up\nChile is expected to join the Escazu Agreement, while Peru joined the Escazu Agreement in 2021.",
            {"Escazu Agreement": {"CL": ("JOINING", None), "PE": ("MEMBER", "2021")}},
        ),
        ("Officials praised the Good Friday Agreement.", {"Good Friday Agreement": {}}),
        ("They reached an agreement on trade with Canada.", {}),  # no named agreement
    ],
)
def test_agreements_and_members(text: str, expected: dict[str, dict[str, tuple[str, str | None]]]) -> None:
    assert _members(text) == expected


def test_headline_capitals_do_not_make_a_new_agreement() -> None:
    text = "Kenya to Join Abraham Accords Soon\nKenya is set to become the next nation to join the Abraham Accords."
    found = find_agreements(text)
    assert [a.name for a in found] == ["Abraham Accords"]
    assert [(m.country, m.status.value) for m in found[0].members] == [("KE", "JOINING")]
    assert all(text[s.start : s.end] == "Abraham Accords" for s in found[0].mentions)


def test_member_status_wins_over_joining() -> None:
    text = "Sudan will join the Abraham Accords. Months later, Sudan joined the Abraham Accords."
    assert _members(text) == {"Abraham Accords": {"SD": ("MEMBER", None)}}
