from django.db import migrations, models
from django.db.models import Q


def keep_todays_dispatchers(apps, schema_editor):
    """Until now the leaders of a township or its committee, and of the office branch
    ``branch01``, dispatched livelihood issues: they keep doing so, now as data."""
    Membership = apps.get_model("organization", "Membership")
    Membership.objects.filter(role="leader").filter(
        Q(unit__kind__in=["township", "committee"]) | Q(unit__code="branch01")
    ).update(dispatcher=True)


class Migration(migrations.Migration):
    dependencies = [
        ("organization", "0002_unit_webhook_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="dispatcher",
            field=models.BooleanField(
                default=False,
                help_text="派单: this member dispatches the livelihood issues of the township this unit belongs to.",
                verbose_name="dispatches livelihood issues",
            ),
        ),
        migrations.RunPython(keep_todays_dispatchers, migrations.RunPython.noop),
    ]
