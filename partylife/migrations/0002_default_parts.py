"""The default parts (规定动作) of each kind of activity; the office edits them in the admin."""

from django.db import migrations

PARTS = [
    ("oath", "重温入党誓词", 10),
    ("study", "集中学习", 20),
    ("discipline_lesson", "党纪教育一刻钟", 30),
    ("dues", "交纳党费", 40),
    ("deliberation", "民主议事", 50),
    ("service", "志愿服务", 60),
    ("roll_call", "签到点名", 5),
    ("report", "工作报告", 70),
    ("lecture", "讲授党课", 80),
    ("discussion", "交流研讨", 90),
    ("criticism", "批评与自我批评", 100),
]
REQUIRED = {
    "theme_party_day": ["oath", "study", "discipline_lesson", "dues", "deliberation"],
    "branch_assembly": ["roll_call", "report"],
    "committee_meeting": ["deliberation"],
    "party_lecture": ["lecture"],
}


def add_defaults(apps, schema_editor):
    ActivityPart = apps.get_model("partylife", "ActivityPart")
    RequiredPart = apps.get_model("partylife", "RequiredPart")
    parts = {}
    for code, name, order in PARTS:
        parts[code], _ = ActivityPart.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    for kind, codes in REQUIRED.items():
        for code in codes:
            RequiredPart.objects.get_or_create(kind=kind, part=parts[code])


class Migration(migrations.Migration):
    dependencies = [("partylife", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
