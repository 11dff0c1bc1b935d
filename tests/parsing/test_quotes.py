from __future__ import annotations

import random

import pytest

from service.parsing.quotes import extract_quotes
from service.parsing.records import QuoteKind, QuoteRecord, SpeakerKind, SpeakerRecord

TITLE = "A headline without quotes\n"


def _extract(body: str) -> tuple[tuple[QuoteRecord, ...], dict[str, SpeakerRecord]]:
    quotes, speakers = extract_quotes(TITLE + body)
    return quotes, {s.key: s for s in speakers}


def _row(quote: QuoteRecord, speakers: dict[str, SpeakerRecord]) -> tuple[str, ...]:
    speaker = speakers[quote.speaker].name if quote.speaker else ""
    return (
        quote.kind.value,
        quote.text,
        quote.cue.text if quote.cue else "",
        quote.source.text if quote.source else "",
        speaker,
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "“We will win this vote,” Maria Lopez said.",
            [("DIRECT", "We will win this vote,", "said", "Maria Lopez", "Maria Lopez")],
        ),
        (
            '"The plan is dead," said Senator Paul Grant.',
            [("DIRECT", "The plan is dead,", "said", "Senator Paul Grant", "Paul Grant")],
        ),
        (
            "Governor Anna Reyes told reporters: “Nobody is leaving.”",
            [("DIRECT", "Nobody is leaving.", "told", "Governor Anna Reyes", "Anna Reyes")],
        ),
        (
            "“The river is rising,” she said, “and the bridge is closed.”\n"
            "Earlier, Mayor Linda Park had warned residents.",
            [("DIRECT", "The river is rising, and the bridge is closed.", "said", "she", "")],
        ),
        (
            "Mayor Linda Park spoke on Monday. “The river is rising,” she said, “and the bridge "
            "is closed.”",
            [
                (
                    "DIRECT",
                    "The river is rising, and the bridge is closed.",
                    "said",
                    "she",
                    "Linda Park",
                ),
            ],
        ),
        (
            "Robert Hale called the bill a “slow disaster” for farmers.",
            [("PARTIAL", "slow disaster", "called", "Robert Hale", "Robert Hale")],
        ),
        (
            "“Stay home tonight!” the mayor urged.\nMayor Tom Reed spoke first.",
            [("DIRECT", "Stay home tonight!", "urged", "the mayor", "mayor")],
        ),
        (
            "According to the Health Ministry, the clinic will reopen next week.",
            [
                (
                    "INDIRECT",
                    "the clinic will reopen next week",
                    "According to",
                    "the Health Ministry",
                    "Health Ministry",
                )
            ],
        ),
        (
            "Two British officials said that the talks had stalled over fishing rights.",
            [
                (
                    "INDIRECT",
                    "the talks had stalled over fishing rights",
                    "said",
                    "Two British officials",
                    "British official",
                )
            ],
        ),
        (
            "The bridge will stay closed until March, a city engineer said.",
            [
                (
                    "INDIRECT",
                    "The bridge will stay closed until March",
                    "said",
                    "a city engineer",
                    "city engineer",
                )
            ],
        ),
    ],
)
def test_extract_quotes_table(body: str, expected: list[tuple[str, ...]]) -> None:
    quotes, speakers = _extract(body)
    assert [_row(q, speakers) for q in quotes] == expected


@pytest.mark.parametrize(
    "body",
    [
        "Lena Fox thinks that cats are “cuties”.",
        "The so-called “deal” never reached the cabinet.",
        "The band played “Yesterday” twice.",
        "It was the ’90s and nobody’s phone worked.",
        "The “reform” passed the lower house.",
        "",
        "\n\n\n",
        "“An opening mark that never closes and runs on",
        "Closing marks only” here” and there”.",
    ],
)
def test_extract_quotes_finds_nothing(body: str) -> None:
    quotes, _ = _extract(body)
    assert quotes == ()


def test_quote_over_paragraphs_is_one_quote() -> None:
    body = (
        "Judge Ruth Stone wrote in her ruling: “The first part is settled.\n"
        "“The second part is not, and it will be argued again.”"
    )
    quotes, speakers = _extract(body)
    assert len(quotes) == 1
    quote = quotes[0]
    assert quote.text == (
        "The first part is settled. The second part is not, and it will be argued again."
    )
    assert [p.text for p in quote.parts] == [
        "The first part is settled.",
        "The second part is not, and it will be argued again.",
    ]
    assert speakers[quote.speaker or ""].name == "Ruth Stone"


def test_nested_marks_stay_inside_the_quote() -> None:
    quotes, _ = _extract("“He told me ‘never again’ and left,” Omar Haddad said.")
    assert [q.text for q in quotes] == ["He told me ‘never again’ and left,"]


def test_unattributed_paragraph_continues_the_previous_speaker() -> None:
    body = "“The vote is close,” Helen Marsh said.\n“We will know tonight.”"
    quotes, speakers = _extract(body)
    assert [(q.text, speakers[q.speaker or ""].name) for q in quotes] == [
        ("The vote is close, We will know tonight.", "Helen Marsh")
    ]
    assert [p.text for p in quotes[0].parts] == ["The vote is close,", "We will know tonight."]


def test_quotes_of_one_speaker_in_a_row_are_one_attribution() -> None:
    body = "“Prices rose,” said Omar Diaz, a baker in Lyon. “Flour doubled.”"
    quotes, speakers = _extract(body)
    assert [(q.text, q.cue.text if q.cue else None) for q in quotes] == [
        ("Prices rose, Flour doubled.", "said")
    ]
    assert speakers[quotes[0].speaker or ""].name == "Omar Diaz"


def test_quotes_sharing_a_later_attribution() -> None:
    body = "Taxes are “too high” and “badly spent,” Irene Vale told the crowd."
    quotes, speakers = _extract(body)
    assert [(q.text, speakers[q.speaker or ""].name) for q in quotes] == [
        ("too high", "Irene Vale"),
        ("badly spent,", "Irene Vale"),
    ]
    assert {q.context.text if q.context else None for q in quotes} == {
        "Taxes are “too high” and “badly spent,”"
    }


def test_pronoun_follows_gender() -> None:
    body = (
        "Prime Minister Sarah Cole met President David Brandt on Friday.\n"
        "“It was a frank meeting,” she said."
    )
    quotes, speakers = _extract(body)
    assert speakers[quotes[0].speaker or ""].name == "Sarah Cole"


def test_speakers_carry_title_country_and_aliases() -> None:
    body = (
        "French President Michel Laurent met German Chancellor Eva Brandt in Rome.\n"
        "“We agree on the essentials,” Laurent said."
    )
    _, speakers = _extract(body)
    by_name = {s.name: s for s in speakers.values()}
    laurent = by_name["Michel Laurent"]
    assert (laurent.kind, laurent.title, laurent.country) == (
        SpeakerKind.PERSON,
        "President",
        "FR",
    )
    assert set(laurent.aliases) == {"Michel Laurent", "Laurent"}
    assert by_name["Eva Brandt"].country == "DE"
    assert by_name["Eva Brandt"].title == "Chancellor"


def test_anonymous_source_takes_the_articles_country() -> None:
    body = (
        "Two Canadian officials confirmed the plan.\n"
        "One official said the move was “long overdue.”"
    )
    quotes, speakers = _extract(body)
    partial = [q for q in quotes if q.kind is QuoteKind.PARTIAL]
    assert len(partial) == 1
    speaker = speakers[partial[0].speaker or ""]
    assert (speaker.kind, speaker.country) == (SpeakerKind.ANONYMOUS, "CA")


def test_spans_point_into_the_text() -> None:
    text = TITLE + "“Fine,” said Ada Moss. She added that the meeting “went well.”"
    quotes, speakers = extract_quotes(text)
    assert quotes
    for quote in quotes:
        for span in (quote.span, quote.cue, quote.source, *quote.parts):
            if span is not None:
                assert text[span.start : span.end] == span.text
    for speaker in speakers:
        for span in speaker.mentions:
            assert text[span.start : span.end] == span.text


_ALPHABET = "ab Z.,:;!?\n\"'“”‘’«»„—-()¤ said he She told according to that Mr. U.S. "
_WORDS = ["said", "he", "“", "”", '"', "'", "’", "‘", "\n", ", ", ". ", "Anna Vale", "officials",
          "according to", "that", ":", "the", "U.S.", "Mr.", "(", ")", "¤", " "]


def _fuzz_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        if rng.random() < 0.5:
            texts.append("".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 120))))
        else:
            texts.append("".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 60))))
    return texts


@pytest.mark.parametrize("seed", range(4))
def test_extract_quotes_never_raises_and_spans_hold(seed: int) -> None:
    for text in _fuzz_texts(250, seed):
        quotes, speakers = extract_quotes(text)
        for quote in quotes:
            for span in (quote.span, quote.cue, quote.source, quote.context, *quote.parts):
                if span is not None:
                    assert 0 <= span.start <= span.end <= len(text)
                    assert text[span.start : span.end] == span.text
            if quote.speaker is not None:
                assert quote.speaker in {s.key for s in speakers}
