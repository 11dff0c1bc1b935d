from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    initial = False

    operations = [
        ops.AddIndex(
            model_name="ArticleAgreement",
            index=Index(fields=["agreement_id", "article_id"]),
        ),
        ops.AddIndex(
            model_name="ArticleCountry",
            index=Index(fields=["country_id", "article_id"]),
        ),
        ops.AddIndex(
            model_name="ArticleSpeaker",
            index=Index(fields=["speaker_id", "article_id"]),
        ),
        ops.AddIndex(
            model_name="Speaker",
            index=Index(fields=["country_id", "id"]),
        ),
    ]
