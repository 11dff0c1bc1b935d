from __future__ import annotations

import pytest

from service.parsing.countries import country_code, country_name, find_countries


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("U.S.", "US"), ("United States", "US"), ("American", "US"), ("Americans", "US"),
        ("UAE", "AE"), ("United Arab Emirates", "AE"), ("Emirati", "AE"),
        ("Israeli", "IL"), ("Israelis", "IL"), ("Kazakh", "KZ"), ("Kazakhstan", "KZ"),
        ("Britain", "GB"), ("British", "GB"), ("South Korea", "KR"), ("Russian", "RU"),
        ("Kenyan", "KE"), ("Mexican", "MX"), ("Pakistani", "PK"), ("Ivory Coast", "CI"),
        ("Bolivia", "BO"), ("Türkiye", "TR"), ("Turkey", "TR"), ("Czechia", "CZ"),
        ("Viet Nam", "VN"), ("Vietnamese", "VN"),
    ],
)
def test_country_code_knows_names_short_forms_and_demonyms(phrase: str, code: str) -> None:
    assert country_code(phrase) == code


@pytest.mark.parametrize("phrase", ["Washington", "Arab", "Gaza", "Soviet Union", "us", "Trump", ""])
def test_country_code_rejects_what_is_not_a_country(phrase: str) -> None:
    assert country_code(phrase) is None


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("The U.S. and the UAE met in Abu Dhabi.", ["US", "AE"]),
        ("Israeli-Kazakh ties grew, Kazakh officials said.", ["IL", "KZ"]),
        ("Michael Jordan played in Chicago.", []),  # an ambiguous name is not taken alone
        ("She met us in the Russian capital; Russia agreed.", ["RU"]),
        ("No country here, only the Arab League and Gaza.", []),
    ],
)
def test_find_countries_in_order_of_first_mention(text: str, codes: list[str]) -> None:
    found = find_countries(text)
    assert [c.alpha2 for c in found] == codes
    for country in found:
        for mention in country.mentions:
            assert text[mention.start : mention.end] == mention.text


def test_country_name_prefers_common_names() -> None:
    assert [country_name(c) for c in ("IR", "KR", "US", "TW")] == ["Iran", "South Korea", "United States", "Taiwan"]
