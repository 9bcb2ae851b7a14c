"""Every model has an admin page that opens for the administrator (and only for staff)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

PROJECT_APPS = {"organization", "workflows", "lists", "pledges", "issues", "supervision", "notifications", "reports"}
PROJECT_MODELS = [
    m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS and not m._meta.proxy and not m._meta.auto_created
]


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_every_project_model_is_in_the_admin(model):
    assert admin.site.is_registered(model)


@pytest.mark.django_db
@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_admin_changelist_opens(personas, client, model):
    client.force_login(personas.admin)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
