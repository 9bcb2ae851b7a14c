"""Visits (千名干部联村企) with issues raised on the spot, coverage, and observers' findings."""

import datetime as dt

from issues.models import LivelihoodIssue
from organization.models import Pairing
from partylife.models import Finding, Visit
from supervision.models import SupervisionCase


def paired_village(personas, branch=None):
    return Pairing.objects.filter(branch=branch or personas.branch).select_related("partner").first().partner


def test_cadre_logs_a_visit_raising_an_issue(personas, api_as):
    village = paired_village(personas)
    body = {
        "unit": village.pk,
        "visited_on": "2026-12-01",
        "notes": "走访三户困难群众",
        "issues": [{"title": "三组路灯不亮", "description": "六盏损坏", "category": "roads", "urgency": "normal"}],
    }
    response = api_as(personas.cadre).post("/api/v1/visits/", body, format="json")
    assert response.status_code == 201, response.json()
    issue = LivelihoodIssue.objects.get(pk=response.json()["issue_ids"][0])
    assert issue.source == "visit" and issue.place_unit == village and issue.registered_by == personas.cadre
    assert Visit.objects.get().branch == personas.branch


def test_visit_to_an_unpaired_unit_or_bad_input_is_400(personas, api_as):
    mine = Pairing.objects.filter(branch=personas.branch).values("partner")
    unpaired = Pairing.objects.exclude(partner__in=mine).exclude(partner__code__startswith="bs-").first().partner
    client = api_as(personas.cadre)
    response = client.post("/api/v1/visits/", {"unit": unpaired.pk, "visited_on": "2026-12-01", "notes": "x"})
    assert response.status_code == 400 and "unit" in response.json()
    response = client.post(
        "/api/v1/visits/",
        {"unit": paired_village(personas).pk, "visited_on": "2999-01-01", "notes": " ", "issues": [{"category": "x"}]},
        format="json",
    )
    assert response.status_code == 400 and {"visited_on", "notes", "issues"} <= set(response.json())


def test_other_township_cannot_visit_qingshan_units(personas, api_as):
    body = {"unit": paired_village(personas).pk, "visited_on": "2026-12-01", "notes": "x"}
    assert api_as(personas.b_cadre).post("/api/v1/visits/", body).status_code == 400


def test_coverage_lists_every_paired_unit_including_unvisited(personas, api_as, django_assert_max_num_queries):
    village = paired_village(personas)
    api_as(personas.cadre).post("/api/v1/visits/", {"unit": village.pk, "visited_on": "2026-12-01", "notes": "n"})
    client = api_as(personas.leader)
    with django_assert_max_num_queries(12):
        rows = client.get("/api/v1/reports/visits/?month=2026-12").json()
    by_unit = {r["unit"]["id"]: r for r in rows}
    assert by_unit[village.pk]["visits"] == 1
    assert by_unit[village.pk]["visitors"] == [{"id": personas.cadre.pk, "name": str(personas.cadre)}]
    assert by_unit[village.pk]["last_visited_on"] == "2026-12-01"
    assert any(r["visits"] == 0 and r["last_visited_on"] is None for r in rows)
    assert len(rows) == Pairing.objects.exclude(partner__code__startswith="bs-").values("partner").distinct().count()
    b_rows = api_as(personas.b_leader).get("/api/v1/reports/visits/?month=2026-12").json()
    assert village.pk not in {r["unit"]["id"] for r in b_rows} and len(b_rows) == 2
    assert client.get("/api/v1/reports/visits/?month=2026-13").status_code == 400


def test_observer_files_commissioner_accepts_and_a_case_opens(personas, api_as):
    response = api_as(personas.observer).post(
        "/api/v1/findings/", {"unit": personas.branch.pk, "title": "主题党日代签到", "description": "三人代签"}
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    rows = api_as(personas.commissioner).get("/api/v1/inbox/?subject_type=finding").json()["results"]
    assert [(r["subject_id"], r["action"]) for r in rows] == [(pk, "decide_finding")]
    assert api_as(personas.other_commissioner).get("/api/v1/inbox/?subject_type=finding").json()["results"] == []
    assert api_as(personas.observer).post(f"/api/v1/findings/{pk}/transitions/accept/", {}).status_code == 403
    response = api_as(personas.commissioner).post(f"/api/v1/findings/{pk}/transitions/accept/", {})
    assert response.status_code == 200
    case = SupervisionCase.objects.get(pk=response.json()["case"])
    assert case.object_id == pk and case.unit == personas.branch
    from notifications.models import OutboxMessage

    assert OutboxMessage.objects.filter(recipient=personas.observer, event="finding.accepted").exists()


def test_commissioner_dismisses_with_a_reason_and_the_observer_is_told(personas, api_as):
    from partylife import services

    finding = services.finding_file(actor=personas.observer, unit=personas.branch, title="t", description="d")
    client = api_as(personas.commissioner)
    assert client.post(f"/api/v1/findings/{finding.pk}/transitions/dismiss/", {}).status_code == 400
    response = client.post(f"/api/v1/findings/{finding.pk}/transitions/dismiss/", {"reason": "查无实据"})
    assert response.json()["state"] == "dismissed"
    from notifications.models import OutboxMessage

    assert OutboxMessage.objects.filter(recipient=personas.observer, event="finding.dismissed").exists()
    assert client.post(f"/api/v1/findings/{finding.pk}/transitions/accept/", {}).status_code == 409


def test_cadres_and_the_other_township_cannot_file_or_read(personas, api_as):
    body = {"unit": personas.branch.pk, "title": "t", "description": "d"}
    assert api_as(personas.cadre).post("/api/v1/findings/", body).status_code == 403
    assert api_as(personas.b_commissioner).post("/api/v1/findings/", body).status_code == 400
    from partylife import services

    finding = services.finding_file(actor=personas.observer, unit=personas.branch, title="t", description="d")
    for who in ("cadre", "leader", "b_commissioner", "b_secretary"):
        assert api_as(getattr(personas, who)).get(f"/api/v1/findings/{finding.pk}/").status_code == 404
    assert Finding.objects.count() == 1


def test_sweep_leaves_findings_alone(personas):
    from django.utils import timezone

    from partylife import services
    from workflows.sweep import sweep_deadlines

    services.finding_file(actor=personas.observer, unit=personas.branch, title="t", description="d")
    report = sweep_deadlines(as_of=timezone.now() + dt.timedelta(days=30))
    assert not [c for c in report.changes if c.kind == "finding"]
