"""PostgreSQL only: a GIN index over the search bigrams as a tsvector (lexemes verbatim, no
parser or locale involved), so ``members.work.search`` finds two-character Chinese words fast. SQLite
matches the same tokens with LIKE and needs nothing."""

from django.db import migrations

INDEX = "work_searchentry_bigrams_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON work_searchentry "
        "USING gin (array_to_tsvector(string_to_array(btrim(bigrams), ' ')))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
