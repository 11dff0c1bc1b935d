from __future__ import annotations

from pathlib import Path

import pytest

from service import models
from service.importer import import_records, import_text, normalise
from service.sources import read_records
from tests.conftest import SEED_PATH

SEED = SEED_PATH.read_text(encoding="utf-8")


async def _counts() -> dict[str, int]:
    return {
        "articles": await models.Article.all().count(),
        "quotes": await models.Quote.all().count(),
        "speakers": await models.Speaker.all().count(),
        "aliases": await models.SpeakerAlias.all().count(),
        "countries": await models.Country.all().count(),
        "agreements": await models.Agreement.all().count(),
        "memberships": await models.Membership.all().count(),
    }


async def test_import_seed_twice_changes_nothing(db: str) -> None:
    first = await import_text(SEED, source="seed")
    before = await _counts()
    second = await import_text(SEED, source="seed")

    assert (first.status, second.status) == ("imported", "unchanged")
    assert second.article_id == first.article_id
    assert await _counts() == before
    assert before["articles"] == 1 and before["countries"] == 7 and before["agreements"] == 1


async def test_import_seed_stores_text_exactly(db: str) -> None:
    result = await import_text(SEED)
    article = await models.Article.get(id=result.article_id)

    assert article.text == SEED
    assert article.title == "Kazakhstan to Join Abraham Accords in Symbolic Move Backing Trump Initiative"
    assert article.dateline == "Washington"
    for quote in await models.Quote.filter(article_id=article.id):
        assert SEED[quote.start : quote.end] == (quote.span_text or quote.text)
        if quote.cue_start is not None:
            assert SEED[quote.cue_start : quote.cue_end] == quote.cue_text


async def test_import_seed_speakers_countries_agreement(db: str) -> None:
    await import_text(SEED)
    speakers = {
        s.name: (s.kind.value, s.title, s.country.alpha2 if s.country else None)
        for s in await models.Speaker.all().prefetch_related("country")
    }
    assert speakers["Donald Trump"] == ("PERSON", "President", "US")
    assert speakers["Benjamin Netanyahu"] == ("PERSON", "Prime Minister", "IL")
    assert speakers["Kassym-Jomart Tokayev"] == ("PERSON", "President", "KZ")
    assert speakers["Marco Rubio"] == ("PERSON", "Secretary of State", "US")
    names = [s.name for s in await models.Speaker.all()]
    for person in ("Trump", "Netanyahu", "Tokayev", "Rubio"):
        assert sum(person in name for name in names) == 1, names

    countries = {c.alpha2 for c in await models.Country.all()}
    assert countries == {"KZ", "IL", "US", "BH", "MA", "SD", "AE"}
    members = {
        m.country.alpha2: m.status.value
        for m in await models.Membership.filter(agreement__name="Abraham Accords").prefetch_related("country")
    }
    assert members == {"IL": "MEMBER", "BH": "MEMBER", "MA": "MEMBER", "SD": "MEMBER", "AE": "MEMBER", "KZ": "JOINING"}


async def test_speaker_resolves_across_articles(db: str) -> None:
    await import_text("First\nFormer U.S. President Donald Trump spoke on Monday.\n")
    await import_text("Second\n“We will win,” Trump said on Tuesday.\n")

    trumps = await models.Speaker.filter(name__icontains="trump")
    assert [t.name for t in trumps] == ["Donald Trump"]
    assert "trump" in {a.alias for a in await models.SpeakerAlias.filter(speaker_id=trumps[0].id)}
    quote = await models.Quote.get(text__contains="We will win")
    assert quote.speaker_id == trumps[0].id


async def test_anonymous_speakers_stay_in_their_article(db: str) -> None:
    await import_text("One\n“It is over,” one official said.\n")
    await import_text("Two\n“It is not over,” one official said.\n")

    anonymous = await models.Speaker.filter(kind="ANONYMOUS")
    assert len(anonymous) == 2


async def test_bad_files_fail_alone(db: str, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(SEED, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n  \n", encoding="utf-8")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"Title\n\xff\xfe\x00\x01")
    missing = tmp_path / "missing.txt"

    report = await import_records(read_records([empty, binary, good, missing]))

    statuses = {Path(r.source).name: (r.status, r.error) for r in report.results}
    assert statuses["good.txt"][0] == "imported"
    assert statuses["empty.txt"] == ("failed", "the article is empty: it needs a title line and some text")
    assert statuses["binary.txt"][0] == "failed" and "not valid UTF-8 (byte 6" in str(statuses["binary.txt"][1])
    assert statuses["missing.txt"][0] == "failed" and "No such file" in str(statuses["missing.txt"][1])
    assert report.failed == 3
    assert await models.Article.all().count() == 1


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Donald Trump", "donald trump"),
        ("Kassym-Jomart Tokayev", "kassym-jomart tokayev"),
        ("Ségolène Royal", "segolene royal"),
        ("O’Neill", "o'neill"),
    ],
)
def test_normalise(name: str, expected: str) -> None:
    assert normalise(name) == expected
