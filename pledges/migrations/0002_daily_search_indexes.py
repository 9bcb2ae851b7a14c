from django.db import migrations

from workflows.search import trigram_indexes


class Migration(migrations.Migration):
    """Text search (`workflows.search`): trigram indexes on PostgreSQL."""

    dependencies = [("pledges", "0001_initial"), ("lists", "0002_from_responsibilities")]

    operations = [trigram_indexes("pledges", "Pledge", ("text",))]
