from django.db import migrations

from workflows.search import trigram_indexes


class Migration(migrations.Migration):
    """Text search (`workflows.search`): trigram indexes on PostgreSQL."""

    dependencies = [("supervision", "0001_supervision_cases"), ("lists", "0002_from_responsibilities")]

    operations = [trigram_indexes("supervision", "SupervisionCase", ("subject_title", "reason", "conclusion"))]
