"""ISO 3166 countries recognised from names, short forms and demonyms.

Names and codes come from pycountry. pycountry carries no demonyms or newsroom short forms, so
those are derived by rule from the names and completed by a table of the irregular ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import pycountry

from service.parsing.records import CountryRecord, Span

# Newsroom short forms and old names that pycountry does not list.
SHORT_FORMS: dict[str, str] = {
    "U.S.": "US",
    "US": "US",
    "U.S.A.": "US",
    "USA": "US",
    "America": "US",
    "United States of America": "US",
    "U.K.": "GB",
    "UK": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "UAE": "AE",
    "U.A.E.": "AE",
    "Emirates": "AE",
    "Russia": "RU",
    "South Korea": "KR",
    "North Korea": "KP",
    "Iran": "IR",
    "Syria": "SY",
    "Vietnam": "VN",
    "Laos": "LA",
    "Czech Republic": "CZ",
    "Turkey": "TR",
    "Ivory Coast": "CI",
    "Democratic Republic of Congo": "CD",
    "Democratic Republic of the Congo": "CD",
    "DRC": "CD",
    "Republic of Congo": "CG",
    "Holland": "NL",
    "Burma": "MM",
    "Swaziland": "SZ",
    "Cape Verde": "CV",
    "East Timor": "TL",
    "Macedonia": "MK",
    "Vatican": "VA",
    "Vatican City": "VA",
    "Palestine": "PS",
    "Taiwan": "TW",
    "Bolivia": "BO",
    "Venezuela": "VE",
    "Tanzania": "TZ",
    "Moldova": "MD",
    "Micronesia": "FM",
    "Brunei": "BN",
    "the Netherlands": "NL",
    "the Philippines": "PH",
    "the Bahamas": "BS",
    "the Gambia": "GM",
}

# Demonyms that the suffix rules below do not produce.
IRREGULAR_DEMONYMS: dict[str, str] = {
    "American": "US",
    "British": "GB",
    "English": "GB",
    "Scottish": "GB",
    "Welsh": "GB",
    "Emirati": "AE",
    "Israeli": "IL",
    "Kazakh": "KZ",
    "Kazakhstani": "KZ",
    "Uzbek": "UZ",
    "Tajik": "TJ",
    "Turkmen": "TM",
    "Kyrgyz": "KG",
    "Afghan": "AF",
    "Pakistani": "PK",
    "French": "FR",
    "German": "DE",
    "Dutch": "NL",
    "Swiss": "CH",
    "Swedish": "SE",
    "Danish": "DK",
    "Finnish": "FI",
    "Norwegian": "NO",
    "Polish": "PL",
    "Irish": "IE",
    "Spanish": "ES",
    "Portuguese": "PT",
    "Greek": "GR",
    "Turkish": "TR",
    "Czech": "CZ",
    "Slovak": "SK",
    "Chinese": "CN",
    "Japanese": "JP",
    "Vietnamese": "VN",
    "Thai": "TH",
    "Burmese": "MM",
    "Lebanese": "LB",
    "Sudanese": "SD",
    "Iraqi": "IQ",
    "Saudi": "SA",
    "Qatari": "QA",
    "Kuwaiti": "KW",
    "Omani": "OM",
    "Yemeni": "YE",
    "Bahraini": "BH",
    "Moroccan": "MA",
    "Egyptian": "EG",
    "Jordanian": "JO",
    "Syrian": "SY",
    "Iranian": "IR",
    "Russian": "RU",
    "Ukrainian": "UA",
    "Belarusian": "BY",
    "Filipino": "PH",
    "Philippine": "PH",
    "Nepalese": "NP",
    "Nepali": "NP",
    "Bangladeshi": "BD",
    "Sri Lankan": "LK",
    "Maldivian": "MV",
    "Mongolian": "MN",
    "North Korean": "KP",
    "South Korean": "KR",
    "Taiwanese": "TW",
    "Congolese": "CD",
    "Senegalese": "SN",
    "Malian": "ML",
    "Somali": "SO",
    "Ethiopian": "ET",
    "Eritrean": "ER",
    "Kenyan": "KE",
    "Ugandan": "UG",
    "Rwandan": "RW",
    "Nigerian": "NG",
    "Nigerien": "NE",
    "Ghanaian": "GH",
    "Ivorian": "CI",
    "Malagasy": "MG",
    "Mexican": "MX",
    "Peruvian": "PE",
    "Chilean": "CL",
    "Argentine": "AR",
    "Argentinian": "AR",
    "Brazilian": "BR",
    "Colombian": "CO",
    "Venezuelan": "VE",
    "Cuban": "CU",
    "Haitian": "HT",
    "Dominican": "DO",
    "Canadian": "CA",
    "Australian": "AU",
    "New Zealand": "NZ",
    "Icelandic": "IS",
    "Hungarian": "HU",
    "Romanian": "RO",
    "Bulgarian": "BG",
    "Serbian": "RS",
    "Croatian": "HR",
    "Bosnian": "BA",
    "Slovenian": "SI",
    "Albanian": "AL",
    "Macedonian": "MK",
    "Montenegrin": "ME",
    "Lithuanian": "LT",
    "Latvian": "LV",
    "Estonian": "EE",
    "Georgian": "GE",
    "Armenian": "AM",
    "Azerbaijani": "AZ",
    "Azeri": "AZ",
    "Cypriot": "CY",
    "Maltese": "MT",
    "Libyan": "LY",
    "Tunisian": "TN",
    "Algerian": "DZ",
    "Palestinian": "PS",
    "Indonesian": "ID",
    "Malaysian": "MY",
    "Singaporean": "SG",
    "Cambodian": "KH",
    "Laotian": "LA",
    "Indian": "IN",
    "Italian": "IT",
    "Belgian": "BE",
    "Austrian": "AT",
    "Luxembourgish": "LU",
    "Zimbabwean": "ZW",
    "Zambian": "ZM",
    "South African": "ZA",
    "Namibian": "NA",
    "Angolan": "AO",
    "Mozambican": "MZ",
    "Tanzanian": "TZ",
    "Chadian": "TD",
    "Cameroonian": "CM",
    "Guatemalan": "GT",
    "Honduran": "HN",
    "Salvadoran": "SV",
    "Nicaraguan": "NI",
    "Panamanian": "PA",
    "Costa Rican": "CR",
    "Ecuadorian": "EC",
    "Bolivian": "BO",
    "Paraguayan": "PY",
    "Uruguayan": "UY",
    "Jamaican": "JM",
}

# Capitalised names that are far more often something else in English news.
AMBIGUOUS_NAMES = frozenset({"Jordan", "Georgia", "Chad", "Guinea", "Niger", "Turkey", "Dominica"})


def _names(country: object) -> Iterable[str]:
    for attribute in ("name", "common_name", "official_name"):
        value = getattr(country, attribute, None)
        if value and "," not in value:
            yield value.removeprefix("the ")


@cache
def _lexicon() -> dict[str, str]:
    """Every surface form -> alpha-2."""
    forms: dict[str, str] = {}
    for country in pycountry.countries:
        for name in _names(country):
            forms.setdefault(name, country.alpha_2)
    forms.update(SHORT_FORMS)
    forms.update(IRREGULAR_DEMONYMS)
    for alpha2, name in ((c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries):
        if " " in name:
            continue
        for suffix, replacement in (("ia", "ian"), ("a", "an"), ("o", "an"), ("stan", "stani")):
            if name.endswith(suffix):
                forms.setdefault(name[: -len(suffix)] + replacement, alpha2)
                break
    return forms


@cache
def _pattern() -> re.Pattern[str]:
    forms = sorted(_lexicon(), key=len, reverse=True)
    alternation = "|".join(re.escape(form) for form in forms)
    # Plurals of demonyms ("Israelis") count; "U.S." already ends with a non-word character.
    return re.compile(rf"(?<![\w.])(?:{alternation})(?:s|es)?(?![\w])")


def country_name(alpha2: str) -> str:
    """pycountry's common name where it has one ("Iran"), else its name."""
    country = pycountry.countries.get(alpha_2=alpha2)
    if country is None:
        raise KeyError(alpha2)
    common: str | None = getattr(country, "common_name", None)
    return common or country.name


def country_code(phrase: str) -> str | None:
    """Alpha-2 code for a country name, short form or demonym ("U.S.", "Kazakh"), else None."""
    phrase = phrase.strip()
    lexicon = _lexicon()
    if phrase in lexicon:
        return lexicon[phrase]
    for plural in ("es", "s"):
        if phrase.endswith(plural) and phrase[: -len(plural)] in lexicon:
            return lexicon[phrase[: -len(plural)]]
    if phrase.startswith("the ") and phrase[4:] in lexicon:
        return lexicon[phrase[4:]]
    return None


def country_mentions(text: str) -> Iterable[tuple[str, Span]]:
    """(alpha-2, span) for every country mention in text order."""
    for match in _pattern().finditer(text):
        surface = match.group(0)
        if surface in AMBIGUOUS_NAMES:
            continue
        code = country_code(surface)
        if code is not None:
            yield code, Span(match.start(), match.end(), surface)


def find_countries(text: str) -> tuple[CountryRecord, ...]:
    """The countries a text mentions, in order of first mention, with every mention's span."""
    mentions: dict[str, list[Span]] = {}
    for code, span in country_mentions(text):
        mentions.setdefault(code, []).append(span)
    return tuple(
        CountryRecord(alpha2=code, name=country_name(code), mentions=tuple(spans)) for code, spans in mentions.items()
    )
