"""Tortoise models. Natural keys carry unique constraints so re-imports never duplicate."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from service.parsing.records import MembershipStatus, QuoteKind, SpeakerKind


class Country(Model):
    id = fields.IntField(primary_key=True)
    alpha2 = fields.CharField(max_length=2, unique=True)
    alpha3 = fields.CharField(max_length=3)
    name = fields.CharField(max_length=128, db_index=True)

    class Meta:
        table = "country"
        ordering = ["name"]


class Agreement(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200, unique=True)

    class Meta:
        table = "agreement"


class Membership(Model):
    id = fields.IntField(primary_key=True)
    agreement: fields.ForeignKeyRelation[Agreement] = fields.ForeignKeyField(
        "models.Agreement", related_name="memberships", on_delete=fields.CASCADE
    )
    country: fields.ForeignKeyRelation[Country] = fields.ForeignKeyField(
        "models.Country", related_name="memberships", on_delete=fields.CASCADE, db_index=True
    )
    status = fields.CharEnumField(MembershipStatus, max_length=16)
    date = fields.CharField(max_length=64, null=True)

    agreement_id: int
    country_id: int

    class Meta:
        table = "membership"
        unique_together = (("agreement", "country"),)


class Speaker(Model):
    id = fields.IntField(primary_key=True)
    # Natural key: kind and normalised full name; anonymous sources are scoped to their article.
    key = fields.CharField(max_length=300, unique=True)
    name = fields.CharField(max_length=200, db_index=True)
    kind = fields.CharEnumField(SpeakerKind, max_length=16, db_index=True)
    title = fields.CharField(max_length=200, null=True)
    country: fields.ForeignKeyNullableRelation[Country] = fields.ForeignKeyField(
        "models.Country",
        related_name="speakers",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    # Kept by increments in the writing transaction, so ordering by it can use an index.
    quote_count = fields.IntField(default=0)
    # Set by updateSpeaker: later imports no longer change the title, country or kind.
    corrected = fields.BooleanField(default=False)

    country_id: int | None

    class Meta:
        table = "speaker"
        indexes = (("quote_count", "id"), ("name", "id"), ("country_id", "id"))


class MergedSpeakerKey(Model):
    """The natural key of a speaker merged into another, so later imports resolve to the kept one."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=300, unique=True)
    speaker: fields.ForeignKeyRelation[Speaker] = fields.ForeignKeyField(
        "models.Speaker", related_name="merged_keys", on_delete=fields.CASCADE
    )

    speaker_id: int

    class Meta:
        table = "merged_speaker_key"


class SpeakerAlias(Model):
    """A normalised form that names a speaker ("trump", "donald trump")."""

    id = fields.IntField(primary_key=True)
    speaker: fields.ForeignKeyRelation[Speaker] = fields.ForeignKeyField(
        "models.Speaker", related_name="aliases", on_delete=fields.CASCADE
    )
    alias = fields.CharField(max_length=200, db_index=True)

    speaker_id: int

    class Meta:
        table = "speaker_alias"
        unique_together = (("speaker", "alias"),)


class Article(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=500)
    text = fields.TextField()
    dateline = fields.CharField(max_length=100, null=True)
    publisher = fields.CharField(max_length=200, null=True, db_index=True)
    url = fields.CharField(max_length=2000, null=True)
    language = fields.CharField(max_length=16, null=True)
    external_id = fields.CharField(max_length=500, null=True)
    # Identity for re-imports: "ext:" or "url:" and a hash of the external id or URL when the
    # source gives one, else "hash:" and the content hash.
    identity = fields.CharField(max_length=80, unique=True)
    content_hash = fields.CharField(max_length=64, db_index=True)
    published_at = fields.DatetimeField(null=True)
    imported_at = fields.DatetimeField(auto_now_add=True)
    # published_at when known, else imported_at: what "date" filters and orders on.
    date = fields.DatetimeField()
    # The day a relative mention names ("announced on Thursday"), resolved against published_at.
    event_date = fields.DateField(null=True)
    quote_count = fields.IntField(default=0)

    class Meta:
        table = "article"
        indexes = (("date", "id"), ("title", "id"), ("quote_count", "id"))


class Quote(Model):
    id = fields.IntField(primary_key=True)
    article: fields.ForeignKeyRelation[Article] = fields.ForeignKeyField(
        "models.Article", related_name="quotes", on_delete=fields.CASCADE
    )
    position = fields.IntField()  # order in the article's text
    text = fields.TextField()
    kind = fields.CharEnumField(QuoteKind, max_length=16, db_index=True)
    start = fields.IntField()
    end = fields.IntField()
    # Copies of text[start:end] and of the cue and source, so a page of quotes needs no article
    # text; span_text is null where it equals `text` (all but split quotes).
    span_text = fields.TextField(null=True)
    cue_start = fields.IntField(null=True)
    cue_end = fields.IntField(null=True)
    cue_text = fields.CharField(max_length=500, null=True)
    source_start = fields.IntField(null=True)
    source_end = fields.IntField(null=True)
    source_text = fields.CharField(max_length=500, null=True)
    speaker: fields.ForeignKeyNullableRelation[Speaker] = fields.ForeignKeyField(
        "models.Speaker",
        related_name="quotes",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    # The article's date, copied so quotes filter and order by date without a join.
    date = fields.DatetimeField()
    # Set by reattributeQuote: the speaker was chosen by a person, not the extractor.
    corrected = fields.BooleanField(default=False)

    article_id: int
    speaker_id: int | None

    class Meta:
        table = "quote"
        unique_together = (("article", "position"),)
        indexes = (("date", "id"), ("speaker_id", "id"))


class ArticleCountry(Model):
    id = fields.IntField(primary_key=True)
    article: fields.ForeignKeyRelation[Article] = fields.ForeignKeyField(
        "models.Article", related_name="country_links", on_delete=fields.CASCADE
    )
    country: fields.ForeignKeyRelation[Country] = fields.ForeignKeyField(
        "models.Country", related_name="article_links", on_delete=fields.CASCADE, db_index=True
    )
    article_id: int
    country_id: int

    class Meta:
        table = "article_country"
        indexes = (("country_id", "article_id"),)  # an entity's articles, newest first
        unique_together = (("article", "country"),)


class ArticleAgreement(Model):
    id = fields.IntField(primary_key=True)
    article: fields.ForeignKeyRelation[Article] = fields.ForeignKeyField(
        "models.Article", related_name="agreement_links", on_delete=fields.CASCADE
    )
    agreement: fields.ForeignKeyRelation[Agreement] = fields.ForeignKeyField(
        "models.Agreement", related_name="article_links", on_delete=fields.CASCADE, db_index=True
    )
    article_id: int
    agreement_id: int

    class Meta:
        table = "article_agreement"
        indexes = (("agreement_id", "article_id"),)  # an entity's articles, newest first
        unique_together = (("article", "agreement"),)


class ArticleSpeaker(Model):
    """A speaker the article names, quoted or not."""

    id = fields.IntField(primary_key=True)
    article: fields.ForeignKeyRelation[Article] = fields.ForeignKeyField(
        "models.Article", related_name="speaker_links", on_delete=fields.CASCADE
    )
    speaker: fields.ForeignKeyRelation[Speaker] = fields.ForeignKeyField(
        "models.Speaker", related_name="article_links", on_delete=fields.CASCADE, db_index=True
    )
    article_id: int
    speaker_id: int

    class Meta:
        table = "article_speaker"
        indexes = (("speaker_id", "article_id"),)  # an entity's articles, newest first
        unique_together = (("article", "speaker"),)


class PersistedQuery(Model):
    """A document registered by `quotegraph persist`: with QUOTEGRAPH_PERSISTED_ONLY, the only ones
    that run. `id` is the SHA-256 of `text` in hex, or the id a client manifest gave it."""

    id = fields.CharField(max_length=128, primary_key=True)
    text = fields.TextField()
    name = fields.CharField(max_length=200, null=True)
    origin = fields.CharField(max_length=500, null=True)  # the file it was registered from
    registered_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "persisted_query"
