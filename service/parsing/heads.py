"""Nouns that head a source without a name: "one official", "a senior aide", "his wife"."""

from __future__ import annotations

from typing import Final

# Heads of anonymous sources: "one official", "a senior aide", "sources".
ANONYMOUS_HEADS: Final[dict[str, str]] = {
    "official": "official", "officials": "official",
    "source": "source", "sources": "source",
    "aide": "aide", "aides": "aide",
    "adviser": "adviser", "advisers": "adviser", "advisor": "adviser", "advisors": "adviser",
    "spokesman": "spokesman", "spokeswoman": "spokeswoman", "spokesperson": "spokesperson",
    "spokespeople": "spokesperson", "spokesmen": "spokesman", "spokeswomen": "spokeswoman",
    "diplomat": "diplomat", "diplomats": "diplomat",
    "person": "person", "people": "person",
    "insider": "insider", "insiders": "insider",
    "staffer": "staffer", "staffers": "staffer",
    "analyst": "analyst", "analysts": "analyst",
    "expert": "expert", "experts": "expert",
    "observer": "observer", "observers": "observer",
    "witness": "witness", "witnesses": "witness",
    "resident": "resident", "residents": "resident",
    "critic": "critic", "critics": "critic",
    "supporter": "supporter", "supporters": "supporter",
    "lawmaker": "lawmaker", "lawmakers": "lawmaker",
    "officer": "officer", "officers": "officer",
    "strategist": "strategist", "strategists": "strategist",
    "operative": "operative", "operatives": "operative",
    "member": "member", "members": "member",
    "representative": "representative", "representatives": "representative",
    "executive": "executive", "executives": "executive",
    "campaign": "campaign", "administration": "administration",
    "researcher": "researcher", "researchers": "researcher",
    "economist": "economist", "economists": "economist",
    "voter": "voter", "voters": "voter", "poll": "poll", "polls": "poll", "survey": "survey",
    "report": "report", "reports": "report", "statement": "statement", "study": "study",
    "memo": "memo", "letter": "letter", "documents": "document", "document": "document",
    "leader": "leader", "leaders": "leader", "minister": "minister", "ministers": "minister",
    "president": "president", "senator": "senator", "governor": "governor",
    "candidate": "candidate", "nominee": "nominee", "man": "man", "woman": "woman",
    "friend": "friend", "friends": "friend", "ally": "ally", "allies": "ally",
    "employee": "employee", "employees": "employee", "worker": "worker", "workers": "worker",
    "reporter": "reporter", "reporters": "reporter", "journalist": "journalist",
    "organizer": "organizer", "organizers": "organizer", "protester": "protester",
    "protesters": "protester", "attendee": "attendee", "attendees": "attendee",
    "democrats": "democrat", "republicans": "republican", "democrat": "democrat",
    "republican": "republican", "conservatives": "conservative", "liberals": "liberal",
    "group": "group", "team": "team", "prosecutors": "prosecutor",
    "prosecutor": "prosecutor", "police": "police", "authorities": "authority",
    "lawyer": "lawyer", "lawyers": "lawyer", "attorney": "attorney", "attorneys": "attorney",
    "doctor": "doctor", "doctors": "doctor", "scientist": "scientist", "scientists": "scientist",
    "office": "office", "camp": "camp", "staff": "staff", "wife": "wife", "husband": "husband",
    "daughter": "daughter", "son": "son", "mother": "mother", "father": "father",
    "brother": "brother", "sister": "sister", "family": "family", "ad": "ad", "ads": "ad",
    "editorial": "editorial", "column": "column", "article": "article", "website": "website",
    "book": "book", "video": "video", "lawsuit": "lawsuit", "filing": "filing",
    "spectator": "spectator", "spectators": "spectator", "marcher": "marcher",
    "marchers": "marcher", "crowd": "crowd", "audience": "audience", "fan": "fan", "fans": "fan",
    "child": "child", "children": "child", "student": "student", "students": "student",
    "parent": "parent", "parents": "parent", "delegate": "delegate", "delegates": "delegate",
    "activist": "activist", "activists": "activist", "demonstrator": "demonstrator",
    "demonstrators": "demonstrator", "user": "user", "users": "user", "caller": "caller",
    "heckler": "heckler", "questioner": "questioner", "narrator": "narrator",
    "commentator": "commentator", "commentators": "commentator",
}
# Anonymous heads that a country premodifier ties to that country: "U.S. officials".
ANONYMOUS_GROUPS: Final = frozenset(
    {"official", "officials", "diplomat", "diplomats", "source", "sources", "aide", "aides",
     "officer", "officers", "lawmaker", "lawmakers", "intelligence", "adviser", "advisers"}
)
# Heads that are people or groups rather than documents (used for pronoun agreement).
PLURAL_HEADS: Final = frozenset(
    h for h, lemma in ANONYMOUS_HEADS.items() if h != lemma and h.endswith(("s", "people", "men"))
) | {"people", "police", "authorities", "spokespeople"}
