from tortoise import migrations
from tortoise.migrations import operations as ops
from service.parsing.records import MembershipStatus, QuoteKind, SpeakerKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Agreement",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("name", fields.CharField(unique=True, max_length=200)),
            ],
            options={"table": "agreement", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Article",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("title", fields.CharField(max_length=500)),
                ("text", fields.TextField(unique=False)),
                ("dateline", fields.CharField(null=True, max_length=100)),
                ("publisher", fields.CharField(null=True, db_index=True, max_length=200)),
                ("url", fields.CharField(null=True, max_length=2000)),
                ("language", fields.CharField(null=True, max_length=16)),
                ("external_id", fields.CharField(null=True, max_length=500)),
                ("identity", fields.CharField(unique=True, max_length=80)),
                ("content_hash", fields.CharField(db_index=True, max_length=64)),
                ("published_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("imported_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("date", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("quote_count", fields.IntField(default=0)),
            ],
            options={
                "table": "article",
                "app": "models",
                "indexes": [
                    Index(fields=["date", "id"]),
                    Index(fields=["title", "id"]),
                    Index(fields=["quote_count", "id"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ArticleAgreement",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "article",
                    fields.ForeignKeyField(
                        "models.Article",
                        source_field="article_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="agreement_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "agreement",
                    fields.ForeignKeyField(
                        "models.Agreement",
                        source_field="agreement_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="article_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "article_agreement",
                "app": "models",
                "unique_together": (("article", "agreement"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Country",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("alpha2", fields.CharField(unique=True, max_length=2)),
                ("alpha3", fields.CharField(max_length=3)),
                ("name", fields.CharField(db_index=True, max_length=128)),
            ],
            options={"table": "country", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ArticleCountry",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "article",
                    fields.ForeignKeyField(
                        "models.Article",
                        source_field="article_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="country_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "country",
                    fields.ForeignKeyField(
                        "models.Country",
                        source_field="country_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="article_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "article_country",
                "app": "models",
                "unique_together": (("article", "country"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Membership",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "agreement",
                    fields.ForeignKeyField(
                        "models.Agreement",
                        source_field="agreement_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="memberships",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "country",
                    fields.ForeignKeyField(
                        "models.Country",
                        source_field="country_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="memberships",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        description="MEMBER: MEMBER\nJOINING: JOINING", enum_type=MembershipStatus, max_length=16
                    ),
                ),
                ("date", fields.CharField(null=True, max_length=64)),
            ],
            options={
                "table": "membership",
                "app": "models",
                "unique_together": (("agreement", "country"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Speaker",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("key", fields.CharField(unique=True, max_length=300)),
                ("name", fields.CharField(db_index=True, max_length=200)),
                (
                    "kind",
                    fields.CharEnumField(
                        db_index=True,
                        description="PERSON: PERSON\nORGANIZATION: ORGANIZATION\nANONYMOUS: ANONYMOUS",
                        enum_type=SpeakerKind,
                        max_length=16,
                    ),
                ),
                ("title", fields.CharField(null=True, max_length=200)),
                (
                    "country",
                    fields.ForeignKeyField(
                        "models.Country",
                        source_field="country_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="speakers",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("quote_count", fields.IntField(default=0)),
                ("corrected", fields.BooleanField(default=False)),
            ],
            options={
                "table": "speaker",
                "app": "models",
                "indexes": [Index(fields=["quote_count", "id"]), Index(fields=["name", "id"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ArticleSpeaker",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "article",
                    fields.ForeignKeyField(
                        "models.Article",
                        source_field="article_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="speaker_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "speaker",
                    fields.ForeignKeyField(
                        "models.Speaker",
                        source_field="speaker_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="article_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "article_speaker",
                "app": "models",
                "unique_together": (("article", "speaker"),),
                "pk_attr": "id",
                "table_description": "A speaker the article names, quoted or not.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="MergedSpeakerKey",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("key", fields.CharField(unique=True, max_length=300)),
                (
                    "speaker",
                    fields.ForeignKeyField(
                        "models.Speaker",
                        source_field="speaker_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="merged_keys",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "merged_speaker_key",
                "app": "models",
                "pk_attr": "id",
                "table_description": "The natural key of a speaker merged into another, so later imports resolve to the kept one.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Quote",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "article",
                    fields.ForeignKeyField(
                        "models.Article",
                        source_field="article_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="quotes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("position", fields.IntField()),
                ("text", fields.TextField(unique=False)),
                (
                    "kind",
                    fields.CharEnumField(
                        db_index=True,
                        description="DIRECT: DIRECT\nPARTIAL: PARTIAL\nINDIRECT: INDIRECT",
                        enum_type=QuoteKind,
                        max_length=16,
                    ),
                ),
                ("start", fields.IntField()),
                ("end", fields.IntField()),
                ("span_text", fields.TextField(null=True, unique=False)),
                ("cue_start", fields.IntField(null=True)),
                ("cue_end", fields.IntField(null=True)),
                ("cue_text", fields.CharField(null=True, max_length=500)),
                ("source_start", fields.IntField(null=True)),
                ("source_end", fields.IntField(null=True)),
                ("source_text", fields.CharField(null=True, max_length=500)),
                (
                    "speaker",
                    fields.ForeignKeyField(
                        "models.Speaker",
                        source_field="speaker_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="quotes",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("date", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("corrected", fields.BooleanField(default=False)),
            ],
            options={
                "table": "quote",
                "app": "models",
                "unique_together": (("article", "position"),),
                "indexes": [Index(fields=["date", "id"]), Index(fields=["speaker_id", "id"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SpeakerAlias",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "speaker",
                    fields.ForeignKeyField(
                        "models.Speaker",
                        source_field="speaker_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="aliases",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("alias", fields.CharField(db_index=True, max_length=200)),
            ],
            options={
                "table": "speaker_alias",
                "app": "models",
                "unique_together": (("speaker", "alias"),),
                "pk_attr": "id",
                "table_description": 'A normalised form that names a speaker ("trump", "donald trump").',
            },
            bases=["Model"],
        ),
    ]
