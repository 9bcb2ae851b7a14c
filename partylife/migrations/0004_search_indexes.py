from django.db import migrations

from workflows.search import trigram_indexes


class Migration(migrations.Migration):
    """Text search (`workflows.search`): trigram indexes on PostgreSQL."""

    dependencies = [("partylife", "0003_activity_frequencies")]

    operations = [trigram_indexes("partylife", "Activity", ("title", "place", "minutes"))]
