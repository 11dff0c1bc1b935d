from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_entity_article_indexes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Article',
            name='event_date',
            field=fields.DateField(null=True),
        ),
    ]
