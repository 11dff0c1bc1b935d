"""Attribution rules, one table row a rule: (kind, quoted words, cue, source) of each quotation."""

from __future__ import annotations

import pytest

from service.parsing.quotes import extract_quotes
from service.parsing.records import QuoteKind

TITLE = "A headline without quotes\n"


def _quoted(body: str) -> list[tuple[str, str, str, str]]:
    quotes, _ = extract_quotes(TITLE + body)
    return [
        (q.kind.value, q.text, q.cue.text if q.cue else "", q.source.text if q.source else "")
        for q in quotes
        if q.kind is not QuoteKind.INDIRECT
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a participle or a second verb shares the subject and is the nearer cue
        (
            "Ann Lee said the plan was bad, adding that it was “a disaster for everyone.”",
            [("PARTIAL", "a disaster for everyone.", "adding", "Ann Lee")],
        ),
        (
            "Ann Lee slammed the plan and accused Bob Ray of a “flip-flop.”",
            [("PARTIAL", "flip-flop.", "accused", "Ann Lee")],
        ),
        # a middle initial and a party label do not cut the name
        (
            'Sen. Rita J. Moss (D-Ore.), noting the size of the crowd, said, "It is big."',
            [("DIRECT", "It is big.", "said", "Sen. Rita J. Moss (D-Ore.)")],
        ),
        # an appositive name after a noun: the span covers both
        (
            "“We need him,” his wife, Maria Pop, wrote in a letter to the court.",
            [("DIRECT", "We need him,", "wrote", "his wife, Maria Pop")],
        ),
        # words between the quotation and ", he said"
        (
            "“The vote was rigged” in the county, he said in an interview.",
            [("DIRECT", "The vote was rigged", "said", "he")],
        ),
        ("“The plan is good,” according to the Daily Ledger.",
         [("DIRECT", "The plan is good,", "according to", "the Daily Ledger")]),
        ("Lee’s office said in a statement: “We are ready.”",
         [("DIRECT", "We are ready.", "said", "Lee’s office")]),
        # a question mark ends the quotation, not the attribution
        ("“Why now?” Tom Ruiz asked in a long letter to the editors of the paper.",
         [("DIRECT", "Why now?", "asked", "Tom Ruiz")]),
        # a signature after a dash
        ("“We can build a wall around him.” ― Ana Ruiz",
         [("DIRECT", "We can build a wall around him.", "―", "Ana Ruiz")]),
        # the cue nearest the quotation introduces it, not one in a subordinate clause
        ("After Ann Lee spoke, the crowd chanted: “Four more years!”",
         [("DIRECT", "Four more years!", "chanted", "the crowd")]),
        ("“Taxes are high,” it read.", [("DIRECT", "Taxes are high,", "read", "it")]),
        # title case with a speaker is still speech: chants, nicknames
        ("“Four More Years!” the crowd chanted.",
         [("DIRECT", "Four More Years!", "chanted", "the crowd")]),
        ("“Taxes are high,” Cuban said.", [("DIRECT", "Taxes are high,", "said", "Cuban")]),
        ("“Taxes are high,” Will wrote.", [("DIRECT", "Taxes are high,", "wrote", "Will")]),
        # a party and state after the name, two appositives before the cue
        (
            "“The veto will fall,” Senate Leader Ann Moss, R-Ky., said Tuesday.",
            [("DIRECT", "The veto will fall,", "said", "Senate Leader Ann Moss")],
        ),
        (
            "“It is an invasion,” Tom Pratt, the attorney general of Utah, one of the states "
            "suing the agency, said at a meeting.",
            [("DIRECT", "It is an invasion,", "said", "Tom Pratt")],
        ),
        # cues of several words
        ("As Tom Ray put it, “The senators are unmoved.”",
         [("DIRECT", "The senators are unmoved.", "put it", "Tom Ray")]),
        ("“I am ready,” Ann Lee shot back.", [("DIRECT", "I am ready,", "shot back", "Ann Lee")]),
        ("Ann Lee issued a statement, “We are ready to serve.”",
         [("DIRECT", "We are ready to serve.", "issued a statement", "Ann Lee")]),
        # a document someone issued is not the source
        ("His office put out a statement saying the plan “does not work.”",
         [("PARTIAL", "does not work.", "saying", "His office")]),
        # "what he called" is the outer speaker's report
        ("Secretary General Ann Lee condemned what he called a “brazen breach” of the rules.",
         [("PARTIAL", "brazen breach", "condemned", "Secretary General Ann Lee")]),
        ("Tom Ray took to the site to attack the paper and encourage readers to avoid what "
         "he called its “fake news.”", [("PARTIAL", "fake news.", "encourage", "Tom Ray")]),
        # the nearest coordinated cue, past adverbs and "by"
        ("She then urges her husband to leave the car and repeatedly says, “Do not do it.”",
         [("DIRECT", "Do not do it.", "says", "She")]),
        ("Mayor Ann Lee responded to a reporter by saying the delay was a “made-up” issue.",
         [("PARTIAL", "made-up", "saying", "Mayor Ann Lee")]),
        # a thought reported inside a coordinated report keeps the outer cue
        ("Tom Ray, her rival, bemoaned the unrest and said he thought that drugs were a "
         "“very big factor” in it.",
         [("PARTIAL", "very big factor", "said", "Tom Ray")]),
        # a clause after the quotation is not its tail
        (
            "At the rally, Tom Ray said that Ann Lee “would have begged” if Tom Ray had asked.",
            [("PARTIAL", "would have begged", "said", "Tom Ray")],
        ),
        # a quotation in a ", but ..." clause without a cue of its own keeps the sentence's
        (
            "Tom Ray said Sunday that the army would win, but not until the mayor “admits it.”",
            [("PARTIAL", "admits it.", "said", "Tom Ray")],
        ),
        # a quotation standing alone after a report of speech
        (
            "Ann Lee says she got a call from her niece. “She called me, and I was upset.”",
            [("DIRECT", "She called me, and I was upset.", "says", "Ann Lee")],
        ),
        ("Said Tom Ellis: “I do not think she is interested.”",
         [("DIRECT", "I do not think she is interested.", "Said", "Tom Ellis")]),
        # a lowercase continuation after an aside is the same quotation
        (
            "“These people know words,” said Tom Kerr, speaking of lawyers, “and use them.”",
            [("DIRECT", "These people know words, and use them.", "said", "Tom Kerr")],
        ),
        (
            "“To the extent they care,” he said of the campaign, “I am sure I pleased them.”",
            [("DIRECT", "To the extent they care, I am sure I pleased them.", "said", "he")],
        ),
        # but a second quotation after the writer's own words is not
        (
            "“It is a step forward,” Tom Kerr said more towns were “lining up to join.”",
            [
                ("DIRECT", "It is a step forward,", "said", "Tom Kerr"),
                ("PARTIAL", "lining up to join.", "said", "Tom Kerr"),
            ],
        ),
    ],
)
def test_attribution_rules(body: str, expected: list[tuple[str, str, str, str]]) -> None:
    assert _quoted(body) == expected


@pytest.mark.parametrize(
    ("body", "cue_not", "source_not"),
    [
        # a noun after a possessive or article is no cue
        ("Ann Lee praised the deal. Bob Ray’s comments called it “a sellout.”", "comments", "Bob"),
        ("Ten states passed the law. Each state calls it “the shield law.”", "state", "Each"),
        ("The survey rated 30% of Republican claims as “false” or worse.", "claims", "Republican"),
        # a cue inside an "after ..." clause is not the quotation's
        ("After the winner was declared, Ann Lee told her supporters, “I love this state.”",
         "declared", "the winner"),
    ],
)
def test_what_is_not_a_cue(body: str, cue_not: str, source_not: str) -> None:
    for _, _, cue, source in _quoted(body):
        assert cue != cue_not
        assert source != source_not


@pytest.mark.parametrize(
    "body",
    [
        "He put the “deal” on hold.",  # "put" is a cue only in "put it"
        "The fans shot the “perfect” photo.",  # and "shot" only in "shot back"
        "Ann Lee’s “reform” passed the lower house.",
        # a title in title case without a speaker
        "The film “Seven Days in May of the Year” ran for weeks in the city.",
    ],
)
def test_phrasal_cues_and_titles_are_not_quotes(body: str) -> None:
    assert _quoted(body) == []


def test_a_sentence_without_a_report_lends_no_speaker() -> None:
    body = "Ann Lee walked into the room. “Hello there, everyone, and welcome home.”"
    assert _quoted(body) == [("DIRECT", "Hello there, everyone, and welcome home.", "", "")]
