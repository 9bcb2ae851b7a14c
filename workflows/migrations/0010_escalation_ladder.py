"""The escalation ladder as data (three levels: overdue working days, who is told, what happens),
the verification clock's limit, and township-own policies. Existing policies move to DESIGN.md's
ladder: level 1 keeps its days, levels 2 and 3 follow it by the default's spacing (3, 6, 10)."""

import django.db.models.deletion
from django.db import migrations, models


def to_default_ladder(apps, schema_editor):
    DeadlinePolicy = apps.get_model("workflows", "DeadlinePolicy")
    for policy in DeadlinePolicy.objects.all():
        first = policy.escalate_after_overdue_working_days
        policy.level2_after_overdue_working_days = first + 3
        policy.level3_after_overdue_working_days = first + 7
        policy.save(update_fields=["level2_after_overdue_working_days", "level3_after_overdue_working_days"])


class Migration(migrations.Migration):

    dependencies = [
        ('organization', '0006_membership_roles'),
        ('workflows', '0009_merge_audit_date_bounds'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='deadlinepolicy',
            options={'ordering': ['township', 'kind', 'category_code', 'urgent'], 'verbose_name': 'deadline policy', 'verbose_name_plural': 'deadline policies'},
        ),
        migrations.RemoveConstraint(
            model_name='deadlinepolicy',
            name='one_policy_per_kind_category',
        ),
        migrations.RemoveField(
            model_name='deadlinepolicy',
            name='escalation_step_working_days',
        ),
        migrations.AddField(
            model_name='deadlinepolicy',
            name='level1_action',
            field=models.CharField(choices=[('open_case', 'a supervision case opens'), ('take_over', 'the township discipline committee takes the case over'), ('mark_for_meeting', 'the case is marked for the committee meeting'), ('notify', 'the people are told, nothing else')], default='open_case', max_length=30, verbose_name='level 1: what happens'),
        ),
        migrations.AddField(
            model_name='deadlinepolicy',
            name='level1_audience',
            field=models.CharField(choices=[('district_commissioners', "the district's discipline commissioners"), ('township_committee', 'the township discipline committee'), ('secretary', 'the township Party secretary')], default='district_commissioners', max_length=30, verbose_name='level 1: who is told'),
        ),
        migrations.AddField(
            model_name='deadlinepolicy',
            name='level2_action',
            field=models.CharField(choices=[('open_case', 'a supervision case opens'), ('take_over', 'the township discipline committee takes the case over'), ('mark_for_meeting', 'the case is marked for the committee meeting'), ('notify', 'the people are told, nothing else')], default='take_over', max_length=30, verbose_name='level 2: what happens'),
        ),
        migrations.AddField(
            model_name='deadlinepolicy',
            name='level2_after_overdue_working_days',
            field=models.PositiveSmallIntegerField(default=6, verbose_name='level 2 after (overdue working days)'),
        ),
        migrations.AddField(
            model_name='deadlinepolicy',
            name='level2_audience',
            field=models.CharField(choices=[('district_commissioners', "the district's discipline commissioners"), ('township_committee', 'the township discipline committee'), ('secretary', 'the township Party secretary')], default='township_committee', max_length=30, verbose_name='level 2: who is told'),
        ),
        migrations.AddField(
            model_name='deadlinepolicy',
            name='level3_action',
            field=models.CharField(choices=[('open_case', 'a supervision case opens'), ('take_over', 'the township discipline committee takes the case over'), ('mark_for_meeting', 'the case is marked for the committee meeting'), ('notify', 'the people are told, nothing else')], default='mark_for_meeting', max_length=30, verbose_name='level 3: what happens'),
        ),
        migrations.AddField(
            model_name='deadlinepolicy',
            name='level3_after_overdue_working_days',
            field=models.PositiveSmallIntegerField(default=10, verbose_name='level 3 after (overdue working days)'),
        ),
        migrations.AddField(
            model_name='deadlinepolicy',
            name='level3_audience',
            field=models.CharField(choices=[('district_commissioners', "the district's discipline commissioners"), ('township_committee', 'the township discipline committee'), ('secretary', 'the township Party secretary')], default='secretary', max_length=30, verbose_name='level 3: who is told'),
        ),
        migrations.AddField(
            model_name='deadlinepolicy',
            name='township',
            field=models.ForeignKey(blank=True, help_text="Empty: the deployment's policy, for townships without their own.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deadline_policies', to='organization.unit', verbose_name='township'),
        ),
        migrations.AddField(
            model_name='deadlinepolicy',
            name='verify_within_working_days',
            field=models.PositiveSmallIntegerField(default=2, help_text="The lead leader's time to verify a submitted item; then warned, then escalated on the ladder.", verbose_name='verify within (working days)'),
        ),
        migrations.AlterField(
            model_name='deadlinepolicy',
            name='escalate_after_overdue_working_days',
            field=models.PositiveSmallIntegerField(default=3, verbose_name='level 1 after (overdue working days)'),
        ),
        migrations.RunPython(to_default_ladder, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='deadlinepolicy',
            constraint=models.UniqueConstraint(condition=models.Q(('township__isnull', True)), fields=('kind', 'category_code', 'urgent'), name='one_policy_per_kind_category'),
        ),
        migrations.AddConstraint(
            model_name='deadlinepolicy',
            constraint=models.UniqueConstraint(fields=('township', 'kind', 'category_code', 'urgent'), name='one_township_policy_per_kind_category'),
        ),
        migrations.AddConstraint(
            model_name='deadlinepolicy',
            constraint=models.CheckConstraint(condition=models.Q(('level2_after_overdue_working_days__gt', models.F('escalate_after_overdue_working_days')), ('level3_after_overdue_working_days__gt', models.F('level2_after_overdue_working_days'))), name='policy_ladder_climbs'),
        ),
    ]
