"""The article's cast: named people found by title or full name, plus the sources quotes name,
and the rules that resolve a source mention ("He", "the official", "Trump") to one of them."""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

from service.parsing.countries import country_code as _country_code
from service.parsing.heads import ANONYMOUS_HEADS, PLURAL_HEADS
from service.parsing.lexicon import (
    DETERMINERS,
    HONORIFICS,
    INSTITUTION_COUNTRY,
    NOT_NAMES,
    ORGANIZATION_HEADS,
    PRONOUNS,
    ROLE_NOUNS,
    TITLE_CANONICAL,
    TITLE_GENDER,
    TITLE_PREMODIFIERS,
    TITLES,
    Gender,
    given_names,
)
from service.parsing.records import Span, SpeakerKind, SpeakerRecord
from service.parsing.text import Token

_TITLE_WORDS: dict[str, list[tuple[str, ...]]] = {}
for _title in TITLES:
    _words = tuple(_title.replace("-", " - ").split()) if "-" in _title else tuple(_title.split())
    _TITLE_WORDS.setdefault(_words[0], []).append(_words)
for _options in _TITLE_WORDS.values():
    _options.sort(key=len, reverse=True)

NAME_CONNECTORS = frozenset(
    {"of", "de", "da", "del", "der", "van", "von", "bin", "al", "la", "le", "dos", "das", "du",
     "di", "el", "ibn", "ben", "abu", "st"}
)
# The same few hundred capitalised words are looked up again and again in every article.
country_code = functools.lru_cache(maxsize=16384)(_country_code)
_PRONOUN_REACH = 8  # sentences a pronoun looks back for its antecedent
_SUFFIXES = frozenset({"Jr.", "Sr.", "Jr", "Sr", "II", "III", "IV"})


@dataclass(slots=True)
class Entity:
    key: str
    kind: SpeakerKind
    name: str
    title: str | None = None
    country: str | None = None
    gender: Gender | None = None
    plural: bool = False
    head: str | None = None  # anonymous head lemma or organisation name
    named: bool = False  # found by title or full name, a speaker even when never quoted
    aliases: list[str] = field(default_factory=list)
    mentions: list[tuple[int, int]] = field(default_factory=list)
    seen: set[tuple[int, int]] = field(default_factory=set)

    @property
    def surname(self) -> str:
        return self.name.split()[-1] if self.name else ""

    def add(self, alias: str, start: int, end: int) -> None:
        if alias not in self.aliases:
            self.aliases.append(alias)
        if (start, end) not in self.seen:
            self.seen.add((start, end))
            self.mentions.append((start, end))

    def record(self, text: str) -> SpeakerRecord:
        spans = tuple(Span.of(text, s, e) for s, e in sorted(self.mentions))
        return SpeakerRecord(
            key=self.key, name=self.name, kind=self.kind, title=self.title,
            country=self.country, aliases=tuple(self.aliases), mentions=spans,
        )


def _match_title(tokens: list[Token], i: int) -> int:
    """Number of tokens of the longest title starting at tokens[i] (0 when none)."""
    for words in _TITLE_WORDS.get(tokens[i].text, []):
        n = len(words)
        if [t.text for t in tokens[i:i + n]] == list(words):
            return n
    return 0


def _country_prefix(tokens: list[Token], i: int) -> tuple[int, str | None]:
    for n in (2, 1):
        if i + n <= len(tokens):
            phrase = " ".join(t.text for t in tokens[i:i + n])
            code = country_code(phrase)
            if code is not None:
                return n, code
    return 0, None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "speaker"


def is_name_word(token: Token) -> bool:
    return token.is_capital and token.is_word and token.bare not in NOT_NAMES


@dataclass(frozen=True, slots=True)
class PersonName:
    start: int
    end: int  # the mention: from the title (or name) to the name's end
    name: tuple[str, ...]
    title: str | None
    country: str | None
    gender: Gender | None


def parse_person(tokens: list[Token], i: int, j: int) -> PersonName | None:
    """A person's name in tokens[i:j] (a run of capitalised words), with title and country."""
    k = i
    while k < j and (tokens[k].lower in TITLE_PREMODIFIERS or tokens[k].text == "-"):
        k += 1
    n, country = _country_prefix(tokens, k)
    if n and k + n < j:
        k += n
    while k < j and tokens[k].lower in TITLE_PREMODIFIERS:
        k += 1
    title: str | None = None
    gender: Gender | None = None
    mention_start = tokens[k].start if k < j else tokens[i].start
    t = _match_title(tokens, k) if k < j else 0
    if t:
        raw = " ".join(tok.text for tok in tokens[k:k + t]).replace(" - ", "-")
        gender = TITLE_GENDER.get(raw)
        title = None if raw in HONORIFICS else TITLE_CANONICAL.get(raw, raw)
        k += t
    names = [tok for tok in tokens[k:j] if tok.text not in _SUFFIXES]
    if not names or len(names) > 4:
        return None
    if any(not is_name_word(tok) and tok.lower not in NAME_CONNECTORS for tok in names):
        return None
    if names[-1].bare in ORGANIZATION_HEADS or any(country_code(tok.bare) for tok in names):
        return None
    if t == 0:
        first = names[0].bare.upper()
        lexicon = given_names()
        if len(names) < 2 or first not in lexicon or names[0].bare in NOT_NAMES:
            return None
        gender = lexicon[first]
    elif gender is None and len(names) >= 2:
        gender = given_names().get(names[0].bare.upper())
    words = tuple(tok.bare for tok in names)
    return PersonName(mention_start, names[-1].start + len(names[-1].bare), words, title,
                      country, gender)


def capital_runs(tokens: list[Token]) -> list[tuple[int, int]]:
    """Token index ranges of runs of capitalised words (with 'of', 'bin' and titles' dots)."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        if not (tokens[i].is_capital and tokens[i].is_word):
            i += 1
            continue
        j = i + 1
        while j < len(tokens):
            tok = tokens[j]
            if tokens[j - 1].possessive:
                break
            connector = tok.lower in NAME_CONNECTORS and j + 1 < len(tokens) and \
                tokens[j + 1].is_capital
            if (tok.is_capital and tok.is_word) or connector:
                j += 1
            else:
                break
        runs.append((i, j))
        i = j
    return runs


class Cast:
    """Builds the article's entities as mentions are found, and resolves source mentions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.entities: list[Entity] = []
        # (start, end, entity index, is_subject_like) in text order
        self.mentions: list[tuple[int, int, int]] = []
        self.index: dict[str, int] = {}  # entity key -> position in self.entities

    # building -----------------------------------------------------------------------------
    def _new(self, kind: SpeakerKind, name: str, **fields: object) -> Entity:
        base = _slug(name)
        keys = {e.key for e in self.entities}
        key, n = base, 2
        while key in keys:
            key, n = f"{base}-{n}", n + 1
        entity = Entity(key=key, kind=kind, name=name)
        for attr, value in fields.items():
            setattr(entity, attr, value)
        self.index[key] = len(self.entities)
        self.entities.append(entity)
        return entity

    def mention(self, entity: Entity, alias: str, start: int, end: int) -> None:
        entity.add(alias, start, end)
        bisect.insort(self.mentions, (start, end, self.index[entity.key]))

    def person(self, found: PersonName) -> Entity:
        words = found.name
        match: Entity | None = None
        for entity in reversed(self.entities):
            if entity.kind is not SpeakerKind.PERSON:
                continue
            parts = entity.name.split()
            if tuple(parts) == words or (
                parts[-1] == words[-1] and (len(words) == 1 or len(parts) == 1
                                            or parts[0] == words[0])
            ):
                match = entity
                break
        full = " ".join(words)
        if match is None:
            match = self._new(SpeakerKind.PERSON, full)
        if len(words) > len(match.name.split()):
            match.name = full
        match.title = match.title or found.title
        match.country = match.country or found.country
        match.gender = match.gender or found.gender
        alias = self.text[found.start:found.end] if found.title else full
        self.mention(match, full if found.title else alias, found.start, found.end)
        return match

    def scan_people(self, tokens: list[Token]) -> None:
        """Register every person named with a title or a full name, then their later surnames."""
        for i, j in capital_runs(tokens):
            start = i
            while start > 0 and tokens[start - 1].lower in TITLE_PREMODIFIERS | {"-"}:
                start -= 1
            found = parse_person(tokens, start, j) or parse_person(tokens, i, j)
            if found is None and j - i > 2:  # "Thursday Kazakh President Tokayev"
                found = parse_person(tokens, i + 1, j)
            if found is not None:
                self.person(found).named = True
        surnames = {e.surname: e for e in self.entities if e.kind is SpeakerKind.PERSON}
        taken = {pos for s, e, _ in self.mentions for pos in range(s, e)}
        for tok in tokens:
            entity = surnames.get(tok.bare)
            if entity is None or tok.start in taken:
                continue
            self.mention(entity, tok.bare, tok.start, tok.start + len(tok.bare))

    # resolving ----------------------------------------------------------------------------
    def _before(self, pos: int) -> list[tuple[int, int, int]]:
        """Mentions ending before pos, the nearest few hundred only."""
        cut = bisect.bisect_left(self.mentions, (pos, -1, -1))
        return [m for m in self.mentions[max(0, cut - 400):cut] if m[1] <= pos]

    def resolve_pronoun(self, word: str, pos: int, sentence_starts: list[int]) -> Entity | None:
        gender, plural = PRONOUNS.get(word.lower(), (None, False))
        if word.lower() == "i":
            return None
        prior = self._before(pos)
        if not prior:
            return None

        def fits(entity: Entity) -> bool:
            if plural:
                return entity.plural or entity.kind is SpeakerKind.ORGANIZATION
            if entity.plural:
                return False
            if word.lower() == "it":
                return entity.kind is SpeakerKind.ORGANIZATION
            if entity.kind is SpeakerKind.ORGANIZATION:
                return False
            return gender is None or entity.gender is None or entity.gender == gender

        # prefer the first fitting mention of the nearest sentence that has one (its subject)
        top = bisect.bisect_right(sentence_starts, pos)
        for k in range(top - 1, max(-1, top - 1 - _PRONOUN_REACH), -1):
            lo = sentence_starts[k]
            hi = pos if k == top - 1 else sentence_starts[k + 1]
            first = bisect.bisect_left(prior, (lo, -1, -1))
            for s, _, idx in prior[first:]:
                if s >= hi:
                    break
                if fits(self.entities[idx]):
                    return self.entities[idx]
        for _, _, idx in reversed(prior[-_PRONOUN_REACH * 8:]):
            if fits(self.entities[idx]):
                return self.entities[idx]
        return None

    def resolve_role(self, role: str, pos: int) -> Entity | None:
        want = ROLE_NOUNS.get(role.lower())
        for _, _, idx in reversed(self._before(pos)):
            entity = self.entities[idx]
            if want and entity.title and want.lower() in entity.title.lower():
                return entity
        return None

    def named(self, words: list[Token], start: int, end: int) -> Entity:
        """A source written as a name ("Trump", "John Smith", "the State Department")."""
        found = parse_person(words, 0, len(words))
        if found is not None:
            return self.person(found)
        bare = [w for w in words if w.lower not in {"the"}]
        name = " ".join(w.bare for w in bare) if bare else self.text[start:end]
        if len(bare) == 1 or (bare and bare[-1].bare not in ORGANIZATION_HEADS
                              and name not in INSTITUTION_COUNTRY):
            for entity in reversed(self.entities):
                if entity.kind is SpeakerKind.PERSON and (
                    entity.surname == bare[-1].bare or entity.name == name
                ):
                    self.mention(entity, name, start, end)
                    return entity
        country = None
        org_words = bare
        n, code = _country_prefix(bare, 0) if bare else (0, None)
        if n and n < len(bare):
            country, org_words = code, bare[n:]
        org_name = " ".join(w.bare for w in org_words) or name
        country = country or INSTITUTION_COUNTRY.get(org_name)
        is_org = (
            bool(org_words) and (org_words[-1].bare in ORGANIZATION_HEADS
                                 or org_name in INSTITUTION_COUNTRY
                                 or words[0].lower == "the" or org_words[-1].text.isupper())
        )
        for entity in self.entities:
            if entity.name == org_name:
                self.mention(entity, name, start, end)
                return entity
        if is_org:
            entity = self._new(SpeakerKind.ORGANIZATION, org_name, country=country,
                               head=org_name)
        else:
            entity = self._new(SpeakerKind.PERSON, org_name)
            entity.gender = given_names().get(org_words[0].bare.upper()) if org_words else None
        self.mention(entity, name, start, end)
        return entity

    def anonymous(self, words: list[Token], head: Token, start: int, end: int) -> Entity:
        """"One official", "three U.S. officials", "a senior aide", "the official"."""
        lemma = ANONYMOUS_HEADS.get(head.lower, head.lower)
        plural = head.lower in PLURAL_HEADS or (head.lower != lemma and head.lower.endswith("s"))
        country = None
        for k in range(len(words)):
            _, code = _country_prefix(words, k)
            if code is not None:
                country = code
                break
        candidates = [e for e in reversed(self.entities)
                      if e.kind is SpeakerKind.ANONYMOUS and e.head == lemma]
        chosen = next((e for e in candidates if e.country == country), None)
        if country is None:  # "one official" after "three U.S. officials" is one of them
            chosen = next((e for e in candidates if e.country), chosen)
        if chosen is None:
            named = words[: words.index(head) + 1] if head in words else words  # not "... who"
            written = [w for w in named if w.lower not in DETERMINERS and not w.text.isdigit()]
            name = " ".join(w.text for w in written) if written else head.text
            if country is not None:
                pre = [w.text for w in words[: words.index(head)]
                       if country_code(w.text) == country]
                name = " ".join([*pre, lemma])
            chosen = self._new(SpeakerKind.ANONYMOUS, name, country=country, head=lemma,
                               plural=plural)
        alias = self.text[start:end]
        self.mention(chosen, alias, start, end)
        return chosen

    def records(self, used: set[str]) -> tuple[SpeakerRecord, ...]:
        return tuple(e.record(self.text) for e in self.entities if e.named or e.key in used)
