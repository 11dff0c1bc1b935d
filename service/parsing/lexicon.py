"""Word lists the quote engine matches against: reporting cues, titles, source heads, pronouns."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib import resources
from typing import Final, Literal

Gender = Literal["m", "f"]

OPENING_DOUBLE: Final = frozenset("“„‟«")
CLOSING_DOUBLE: Final = frozenset("”»")
STRAIGHT_DOUBLE: Final = '"'
OPENING_SINGLE: Final = frozenset("‘‚‛")
CLOSING_SINGLE: Final = frozenset("’")
STRAIGHT_SINGLE: Final = "'"
ALL_MARKS: Final = OPENING_DOUBLE | CLOSING_DOUBLE | OPENING_SINGLE | CLOSING_SINGLE | {'"', "'"}

# Reporting verbs: base form -> irregular forms (regular -s/-ed/-ing are derived).
_IRREGULAR: Final[dict[str, tuple[str, ...]]] = {
    "say": ("said", "says", "saying"),
    "tell": ("told", "tells", "telling"),
    "write": ("wrote", "writes", "writing", "written"),
    "think": ("thought", "thinks", "thinking"),
    "tweet": ("tweeted", "tweets", "tweeting"),
    "post": ("posted", "posts", "posting"),
    "put": ("put", "puts", "putting"),
    "read": ("read", "reads"),
    "admit": ("admitted", "admits", "admitting"),
    "quip": ("quipped", "quips", "quipping"),
    "ask": ("asked", "asks", "asking"),
    "swear": ("swore", "swears", "sworn"),
    "testify": ("testified", "testifies", "testifying"),
    "reply": ("replied", "replies", "replying"),
    "deny": ("denied", "denies", "denying"),
    "cry": ("cried", "cries"),
    "forecast": ("forecast", "forecasts", "forecasted"),
    "predict": ("predicted", "predicts", "predicting"),
}

# Verbs that introduce speech or writing. "call", "describe" and "hail" introduce quoted
# characterisations ("hailed it as the 'best deal'"), so they count only next to quotation marks.
SPEECH_VERBS: Final = frozenset(
    {
        "say", "tell", "add", "write", "note", "insist", "state", "explain", "argue", "claim",
        "announce", "declare", "warn", "reply", "respond", "acknowledge", "admit", "allege",
        "assert", "contend", "report", "tweet", "recall", "predict", "promise", "vow", "pledge",
        "urge", "ask", "complain", "deny", "observe", "remark", "reveal", "stress", "emphasize",
        "emphasise", "testify", "continue", "joke", "quip", "boast", "concede", "counter",
        "repeat", "reiterate", "caution", "comment", "lament", "mention", "muse", "proclaim",
        "recount", "retort", "confirm", "conclude", "suggest", "answer", "shout",
        "agree", "charge", "post", "exclaim", "wonder", "concur", "snap", "scoff", "sigh",
        "cite", "affirm", "maintain", "indicate", "swear", "opine", "grumble", "hint", "advise",
        "inform", "point", "estimate", "instruct", "assure", "yell", "interject", "react",
        "bark", "elaborate", "quote", "read", "scream", "whisper", "plead", "crow", "brag", "imply",
    }
)
QUOTE_ONLY_VERBS: Final = frozenset(
    {
        "call", "describe", "hail", "dub", "praise", "label", "brand", "term", "characterize",
        "characterise", "blast", "slam", "criticize", "criticise", "accuse", "mock", "tout",
        "defend", "dismiss", "decry", "denounce", "thank", "congratulate", "welcome", "attack",
        "refer", "question", "blame", "vow", "celebrate", "chant",
    }
)
# Verbs of belief count for indirect speech only ("officials believe that ...").
BELIEF_VERBS: Final = frozenset({"believe", "think", "hope", "fear", "expect", "worry", "feel"})

# Base forms that are cues on their own ("they say", "I think"); other bare forms are nouns.
BARE_CUES: Final = frozenset(
    {"say", "tell", "think", "believe", "argue", "claim", "insist", "admit", "agree", "warn", "add",
     "note", "write", "explain", "suggest", "predict", "contend", "maintain", "acknowledge", "hope",
     "fear", "expect", "feel", "worry", "wonder", "recall", "concede", "deny", "describe", "ask",
     "according", "announce", "declare", "respond", "reply", "confirm", "stress",
     "urge", "emphasize", "tweet", "conclude", "observe", "complain", "caution", "assert",
     "read"}
)
# Verbs whose "to" complement is an addressee, not content: "told reporters", "said to".
ADDRESSEE_VERBS: Final = frozenset({"tell", "inform", "ask", "advise", "instruct", "urge"})


def _inflect(base: str) -> tuple[str, ...]:
    if base in _IRREGULAR:
        return (base, *_IRREGULAR[base])
    if base.endswith("e"):
        return base, base + "s", base + "d", base[:-1] + "ing"
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        return base, base[:-1] + "ies", base[:-1] + "ied", base + "ing"
    if base.endswith(("sh", "ch", "ss", "x", "z")):
        return base, base + "es", base + "ed", base + "ing"
    if base in {"snap", "quip", "admit", "dub", "scoff", "slam", "blast"}:
        double = base + base[-1] if base[-1] not in "f" and base not in {"blast"} else base
        return base, base + "s", double + "ed", double + "ing"
    return base, base + "s", base + "ed", base + "ing"


def _forms(bases: Iterable[str]) -> dict[str, str]:
    return {form: base for base in bases for form in _inflect(base)}


# Cue forms that are also plural nouns: "Republican claims", "Democratic comments".
PLURAL_NOUN_FORMS: Final = frozenset(
    {"claims", "comments", "reports", "calls", "charges", "answers", "questions", "promises",
     "notes", "tweets", "posts", "warnings", "remarks", "responses", "replies", "denials",
     "predictions", "complaints", "concerns", "quotes", "statements", "attacks"}
)
# Forms far likelier nouns than cues: "each state", "Asian states".
_NOUN_FORMS: Final = frozenset({"states"})
CUE_FORMS: Final[dict[str, str]] = {
    form: base for form, base in _forms(SPEECH_VERBS).items() if form not in _NOUN_FORMS
}
BELIEF_FORMS: Final[dict[str, str]] = _forms(BELIEF_VERBS)
QUOTE_CUE_FORMS: Final[dict[str, str]] = {**_forms(QUOTE_ONLY_VERBS), **BELIEF_FORMS, **CUE_FORMS}

# Auxiliaries and adverbs that may stand between a source and its cue ("has also said").
CUE_PREMODIFIERS: Final = frozenset(
    {
        "has", "have", "had", "also", "later", "then", "previously", "once", "often", "repeatedly",
        "recently", "again", "further", "reportedly", "publicly", "privately", "would", "will",
        "did", "does", "do", "earlier", "flatly", "simply", "quickly", "originally", "initially",
        "first", "both", "all", "famously", "tersely", "bluntly",
        "frequently", "separately", "still", "openly", "explicitly", "correctly", "falsely",
        "wrongly", "not", "never", "could", "might", "may", "should", "can", "is", "was",
    }
)

# Phrases whose object is the source: "according to the ministry, ...".
SOURCE_PREPOSITIONS: Final = ("according to",)

PRONOUNS: Final[dict[str, tuple[Gender | None, bool]]] = {
    # word -> (gender, plural)
    "he": ("m", False),
    "she": ("f", False),
    "they": (None, True),
    "we": (None, True),
    "i": (None, False),
    "it": (None, False),
}

# Titles of people; longest match wins, so multiword titles come first when matching.
TITLES: Final = (
    "Secretary of State",
    "Secretary of Defense",
    "Secretary-General",
    "Secretary General",
    "Vice President",
    "Vice-President",
    "Prime Minister",
    "Deputy Prime Minister",
    "Foreign Minister",
    "Defense Minister",
    "Defence Minister",
    "Finance Minister",
    "Interior Minister",
    "Foreign Secretary",
    "Home Secretary",
    "Defense Secretary",
    "Defence Secretary",
    "Treasury Secretary",
    "Commerce Secretary",
    "Press Secretary",
    "White House Press Secretary",
    "Attorney General",
    "Chief Justice",
    "Crown Prince",
    "Supreme Leader",
    "House Speaker",
    "Speaker",
    "Majority Leader",
    "Minority Leader",
    "Senate Majority Leader",
    "Senate Minority Leader",
    "President-elect",
    "President",
    "Chancellor",
    "Minister",
    "Secretary",
    "Senator",
    "Sen.",
    "Sen",
    "Representative",
    "Rep.",
    "Rep",
    "Congressman",
    "Congresswoman",
    "Governor",
    "Gov.",
    "Gov",
    "Lt. Gov.",
    "Mayor",
    "Ambassador",
    "Envoy",
    "Special Envoy",
    "General",
    "Gen.",
    "Gen",
    "Admiral",
    "Adm.",
    "Colonel",
    "Col.",
    "Judge",
    "Justice",
    "King",
    "Queen",
    "Prince",
    "Princess",
    "Emir",
    "Sheikh",
    "Pope",
    "Premier",
    "Chairman",
    "Chairwoman",
    "Chair",
    "Commissioner",
    "Director",
    "Spokesman",
    "Spokeswoman",
    "Dr.",
    "Dr",
    "Mr.",
    "Mr",
    "Mrs.",
    "Mrs",
    "Ms.",
    "Ms",
    "Rev.",
    "Sir",
    "Dame",
    "Lord",
    "Lady",
)
TITLE_GENDER: Final[dict[str, Gender]] = {
    "Mr.": "m", "Mr": "m", "Mrs.": "f", "Mrs": "f", "Ms.": "f", "Ms": "f", "King": "m",
    "Queen": "f", "Prince": "m", "Princess": "f", "Congressman": "m", "Congresswoman": "f",
    "Chairman": "m", "Chairwoman": "f", "Spokesman": "m", "Spokeswoman": "f", "Sir": "m",
    "Dame": "f", "Lord": "m", "Lady": "f", "Sheikh": "m", "Emir": "m", "Pope": "m",
}
# Titles that only address a person; they are not kept as the speaker's title.
HONORIFICS: Final = frozenset({"Mr.", "Mr", "Mrs.", "Mrs", "Ms.", "Ms", "Dr.", "Dr", "Sir", "Dame"})
TITLE_CANONICAL: Final[dict[str, str]] = {
    "Sen.": "Senator", "Sen": "Senator", "Rep.": "Representative", "Rep": "Representative",
    "Gov.": "Governor", "Gov": "Governor", "Gen.": "General", "Gen": "General",
    "Adm.": "Admiral", "Col.": "Colonel", "Vice-President": "Vice President",
    "Secretary General": "Secretary-General",
}
# Words before a title that are kept out of it: "former U.S. President".
TITLE_PREMODIFIERS: Final = frozenset(
    {"former", "then", "then-", "late", "acting", "incoming", "outgoing", "interim", "current",
     "new", "the", "ex-", "deputy", "top", "chief", "senior", "de", "facto"}
)

# Words that open a noun phrase naming a source.
DETERMINERS: Final = frozenset(
    {
        "a", "an", "the", "one", "two", "three", "four", "five", "six", "several", "some",
        "many", "other", "another", "most", "few", "both", "his", "her", "their", "its", "our",
        "this", "that", "these", "those", "no", "each", "multiple", "numerous", "all", "any",
        "seven", "eight", "nine", "ten", "dozens", "dozen", "more", "top", "various",
    }
)
QUANTIFIERS: Final[dict[str, int]] = {
    "a": 1, "an": 1, "one": 1, "another": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}

# Last words of organisation names.
ORGANIZATION_HEADS: Final = frozenset(
    {
        "Department", "Ministry", "Office", "Agency", "Post", "Times", "Journal", "Press",
        "News", "Campaign", "Committee", "Party", "Council", "Commission", "House", "Kremlin",
        "Pentagon", "Inc", "Inc.", "Corp", "Corp.", "Company", "Co.", "Foundation", "Institute",
        "University", "Bank", "Court", "Senate", "Congress", "Administration", "Government",
        "Network", "Association", "Bureau", "Service", "Union", "Organization", "Organisation",
        "Group", "Center", "Centre", "Board", "Authority", "Fund", "Reuters", "Tribune",
        "Herald", "Guardian", "Telegraph", "Daily", "Magazine", "Channel", "CNN", "BBC", "NBC",
        "CBS", "ABC", "Fox", "AP", "AFP", "Breitbart", "Politico", "Axios", "FBI", "CIA", "NSA",
        "Pew", "Gallup", "Monmouth", "Quinnipiac", "Review", "Bloomberg", "Economist",
        "Police", "Army", "Forces", "Navy", "Assembly", "Parliament", "Cabinet", "Secretariat",
        "Mission", "Embassy", "Consulate", "Coalition", "Alliance", "Federation", "League",
        "Nations", "Institution", "Chamber", "Corporation", "Industries",
        "Media", "Poll", "Survey", "Report", "Hospital", "School", "College", "Club", "NATO",
        "Accords", "Accord", "Agreement", "Treaty", "Emirates", "States", "Kingdom", "Republic",
        "Street", "Gazette", "Star", "Sun", "Mail", "Express", "Observer", "Insider", "Hill",
        "Examiner", "Beast", "Intercept", "Atlantic", "Vox", "Salon", "Slate", "Wire",
    }
)
# Government bodies whose country goes without saying.
INSTITUTION_COUNTRY: Final[dict[str, str]] = {
    "State Department": "US",
    "Pentagon": "US",
    "White House": "US",
    "Justice Department": "US",
    "Treasury Department": "US",
    "Defense Department": "US",
    "Department of State": "US",
    "Department of Defense": "US",
    "Department of Justice": "US",
    "Homeland Security": "US",
    "FBI": "US",
    "CIA": "US",
    "Congress": "US",
    "Kremlin": "RU",
    "Downing Street": "GB",
    "Foreign Office": "GB",
    "Élysée": "FR",
    "Elysee": "FR",
    "Knesset": "IL",
    "Bundestag": "DE",
}

# Capitalised words that do not start a name.
NOT_NAMES: Final = frozenset(
    {
        "The", "A", "An", "In", "On", "At", "For", "But", "And", "Or", "If", "When", "While",
        "As", "After", "Before", "Since", "Until", "Although", "Though", "Because", "So", "Yet",
        "This", "That", "These", "Those", "It", "Its", "He", "She", "They", "We", "I", "You",
        "His", "Her", "Their", "Our", "My", "Your", "There", "Here", "What", "Which", "Who",
        "Whom", "Whose", "Why", "How", "Where", "Then", "Now", "Still", "Also", "Even", "Just",
        "Only", "Not", "No", "Yes", "All", "Some", "Many", "Most", "Several", "Both", "Each",
        "Every", "Any", "One", "Two", "Three", "Four", "Five", "Monday", "Tuesday", "Wednesday",
        "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April",
        "May", "June", "July", "August", "September", "October", "November", "December",
        "Soon", "Later", "Earlier", "Meanwhile", "However", "Despite", "During", "With",
        "Without", "From", "To", "Of", "By", "About", "Over", "Under", "Unlike", "Like",
        "According", "Asked", "Speaking", "Calling", "Ahead", "Areas", "Read", "Last", "Next",
        "Mr", "Mrs", "Ms", "Dr", "Former", "Instead", "Once", "Already", "Indeed", "Thus",
        "Other", "Another", "Such", "More", "Less", "Much", "Very", "Well", "Oh",
        "Among", "Between", "Into", "Through", "Against", "Amid", "Within", "Whether",
    }
)

# Person-like title words that also name an office used alone: "the president said".
ROLE_NOUNS: Final[dict[str, str]] = {
    "president": "President", "prime minister": "Prime Minister", "minister": "Minister",
    "senator": "Senator", "governor": "Governor", "secretary": "Secretary", "mayor": "Mayor",
    "chancellor": "Chancellor", "king": "King", "queen": "Queen", "candidate": "candidate",
    "nominee": "nominee", "congressman": "Congressman", "congresswoman": "Congresswoman",
    "ambassador": "Ambassador", "speaker": "Speaker", "judge": "Judge", "general": "General",
    "justice": "Justice", "chairman": "Chairman", "chairwoman": "Chairwoman",
    "spokesman": "Spokesman", "spokeswoman": "Spokeswoman", "director": "Director",
}


@functools.cache
def given_names() -> dict[str, Gender]:
    """First names (upper case) with their likelier gender, from the US census lists of `names`."""
    table: dict[str, tuple[Gender, float]] = {}
    try:
        folder = resources.files("names")
    except ModuleNotFoundError:  # the lexicon is optional: without it names stay ungendered
        return {}
    for gender, filename in (("m", "dist.male.first"), ("f", "dist.female.first")):
        g: Gender = "m" if gender == "m" else "f"
        for line in folder.joinpath(filename).read_text(encoding="ascii").splitlines():
            fields = line.split()
            if len(fields) < 2:
                continue
            name, freq = fields[0], float(fields[1])
            if name not in table or table[name][1] < freq:
                table[name] = (g, freq)
    return {name: g for name, (g, _) in table.items()}
