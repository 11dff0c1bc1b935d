"""Synthetic JSON Lines records for the import benchmarks, in the spirit of tests/test_bulk.py's
`_record`: wire stories with direct, partial and reported quotes by varied speakers of varied
countries. Deterministic for a given `n`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FIRST = (
    "Ana",
    "Eva",
    "Tomas",
    "Lina",
    "Piet",
    "Maria",
    "Kofi",
    "Hiro",
    "Sofia",
    "Omar",
    "Ines",
    "Jonas",
    "Amara",
    "Luca",
    "Nadia",
    "Rafael",
    "Mei",
    "Arjun",
    "Elena",
    "Yusuf",
    "Clara",
    "Diego",
    "Freya",
)
LAST = (
    "Lund",
    "Moreno",
    "Berg",
    "Park",
    "Brandt",
    "Okafor",
    "Tanaka",
    "Rossi",
    "Haddad",
    "Silva",
    "Novak",
    "Mensah",
    "Kowalski",
    "Dubois",
    "Khan",
    "Larsen",
    "Costa",
    "Nguyen",
    "Fischer",
    "Ortiz",
)
TITLES = ("Mayor", "Senator", "Minister", "Governor", "President", "Ambassador", "Professor")
COUNTRIES = (
    "France",
    "Kenya",
    "Japan",
    "Brazil",
    "Canada",
    "Norway",
    "Peru",
    "Vietnam",
    "Germany",
    "Egypt",
    "India",
    "Mexico",
    "Poland",
    "Ghana",
    "Italy",
    "Chile",
    "Spain",
    "Turkey",
    "Nigeria",
    "Sweden",
)
CITIES = ("Oslo", "Lima", "Nairobi", "Hanoi", "Paris", "Cairo", "Lagos", "Rome", "Madrid", "Accra")
TOPICS = (
    "the budget",
    "the new port",
    "water prices",
    "the rail link",
    "school meals",
    "the census",
)


def _person(n: int) -> tuple[str, str, str]:
    first, last = FIRST[n % len(FIRST)], LAST[(n // len(FIRST)) % len(LAST)]
    return TITLES[n % len(TITLES)], f"{first} {last}", COUNTRIES[(n * 7) % len(COUNTRIES)]


def record(n: int) -> dict[str, Any]:
    """The n-th article: four quotes by three named speakers (from ~460) and an anonymous one."""
    a, b, c = _person(n * 3 % 460), _person((n * 5 + 1) % 460), _person((n * 11 + 2) % 460)
    city, topic = CITIES[n % len(CITIES)], TOPICS[n % len(TOPICS)]
    country = COUNTRIES[n % len(COUNTRIES)]
    text = (
        f"{city} talks on {topic}, round {n}\n\n"
        f"“We will settle {topic} in round {n} this week,” said {a[0]} {a[1]} of {a[2]}.\n"
        f"{b[0]} {b[1]} of {b[2]} said that the talks with {country} were going well.\n"
        f"{c[1]}, the {c[0].lower()} from {c[2]}, called the plan “a fair start for {city}.”\n"
        f"“Nothing is agreed on item {n} until everything is,” one official said.\n"
        f"{a[1].split()[1]} added that {country} would sign soon.\n"
    )
    return {
        "externalId": f"synthetic-{n}",
        "title": f"{city} talks on {topic}, round {n}",
        "text": text,
        "publisher": ("Example Wire", "Daily Planet", "Global Post")[n % 3],
        "publishedAt": f"2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}T09:00:00Z",
        "language": "en",
    }


def records(count: int, start: int = 0) -> Iterator[dict[str, Any]]:
    for n in range(start, start + count):
        yield record(n)


def write_jsonl(path: Path, count: int, start: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for item in records(count, start):
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    return path
