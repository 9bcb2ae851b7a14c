#!/bin/sh
# Builds tests/fixtures/db_at_380f2f8.sqlite3.gz: a small SQLite database made by the code of
# commit 380f2f8 (before responsibilities/ was split into lists/, pledges/ and issues/): migrated,
# seeded with the demo, a few more transitions, a beat task under its old name and a signed audit
# checkpoint. tests/test_split_upgrade.py migrates a copy with today's code.
#
#   scripts/make_split_fixture.sh            (run from the repository root)
set -eu
ROOT=$(pwd)
COMMIT=380f2f8
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
git archive "$COMMIT" | tar -x -C "$WORK"
ln -s "$ROOT/.venv" "$WORK/.venv"
cd "$WORK"
export DATABASE_URL="sqlite:///$WORK/db.sqlite3"
# The key the test settings use (config/settings.py, DJANGO_ENV=test): the test verifies the chains.
export AUDIT_KEY=dutyflow-test-audit-key-not-a-secret
unset REDIS_URL || true
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo >/dev/null 2>&1
.venv/bin/python manage.py shell -c '
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from responsibilities import services
from responsibilities.models import LivelihoodIssue, ResponsibilityItem
from workflows.audit import write_checkpoint

item = ResponsibilityItem.objects.filter(state="assigned").order_by("pk").first()
services.item_accept(item=item, actor=item.assignee)
services.item_report_progress(item=item, actor=item.assignee, text="已推进过半", percent=50)
issue = LivelihoodIssue.objects.filter(state="dispatched").order_by("pk").first()
services.issue_accept(issue=issue, actor=issue.handler)
schedule, _ = CrontabSchedule.objects.get_or_create(minute="0", hour="6", day_of_month="25")
PeriodicTask.objects.update_or_create(
    name="generate-monthly-lists",
    defaults={"task": "responsibilities.tasks.generate_monthly_lists", "crontab": schedule},
)
PeriodicTask.objects.update_or_create(
    name="pledges-self-check-reminders",
    defaults={"task": "responsibilities.tasks_pledges.remind_pledge_self_checks", "crontab": schedule},
)
assert write_checkpoint() is not None
'
.venv/bin/python manage.py verify_audit
sqlite3 db.sqlite3 "VACUUM;"
gzip -9 -n -c db.sqlite3 > "$ROOT/tests/fixtures/db_at_380f2f8.sqlite3.gz"
echo "wrote tests/fixtures/db_at_380f2f8.sqlite3.gz"
