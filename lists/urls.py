from django.urls import path

from . import evidence, views

app_name = "lists"

urlpatterns = [
    path("", views.list_index, name="list-index"),
    path("new/", views.list_create, name="list-create"),
    path("<int:pk>/", views.list_detail, name="list-detail"),
    path("<int:pk>/publish/", views.list_publish, name="list-publish"),
    path("<int:pk>/close/", views.list_close, name="list-close"),
    path("<int:pk>/delete/", views.list_delete, name="list-delete"),
    path("<int:pk>/export.xlsx", views.list_export, name="list-export"),
    path("<int:pk>/import/", views.list_import, name="list-import"),
    path("import-template.xlsx", views.list_import_template, name="list-import-template"),
    path("<int:pk>/items/new/", views.item_create, name="item-create"),
    path("my/", views.my_tasks, name="my-tasks"),
    path("verify/", views.verification_queue, name="verification-queue"),
    path("extensions/", views.extension_queue, name="extension-queue"),
    path("extensions/<int:pk>/<slug:decision>/", views.extension_decide, name="extension-decide"),
    path("items/<int:pk>/", views.item_detail, name="item-detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("items/<int:pk>/delete/", views.item_delete, name="item-delete"),
    path("items/<int:pk>/actions/<slug:name>/", views.item_action, name="item-action"),
    path("items/<int:pk>/evidence/", views.item_evidence, name="item-evidence"),
    path("items/<int:pk>/comments/", views.item_comment, name="item-comment"),
    path("items/<int:pk>/extension/", views.item_extension, name="item-extension"),
    path("evidence/<int:pk>/download/", evidence.evidence_download, name="evidence-download"),
    path("inbox/", views.inbox, name="inbox"),
]
