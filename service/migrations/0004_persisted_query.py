from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_article_event_date')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PersistedQuery',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=128)),
                ('text', fields.TextField(unique=False)),
                ('name', fields.CharField(null=True, max_length=200)),
                ('origin', fields.CharField(null=True, max_length=500)),
                ('registered_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'persisted_query', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A document registered by `quotegraph persist`: with QUOTEGRAPH_PERSISTED_ONLY, the only ones'},
            bases=['Model'],
        ),
    ]
