from django.urls import path

from contacts import import_views, views

urlpatterns = [
    path("contacts/<int:pk>/", views.contact, name="contacts-contact"),
    path(
        "contacts/<int:pk>/data.json",
        views.person_data,
        {"kind": "json"},
        name="contacts-person-json",
    ),
    path(
        "contacts/<int:pk>/data.vcf", views.person_data, {"kind": "vcf"}, name="contacts-person-vcf"
    ),
    path("contacts/<int:pk>/erase/", views.erase, name="contacts-erase"),
    path("contacts/import/", import_views.contacts_upload, name="contacts-import"),
    path("contacts/import/<int:pk>/", import_views.preview, name="contacts-import-preview"),
    path("contacts/import/<int:pk>/run/", import_views.run, name="contacts-import-run"),
    path(
        "contacts/import/<int:pk>/discard/",
        import_views.discard,
        name="contacts-import-discard",
    ),
    path("settings/", views.settings_page, name="contacts-settings"),
    path("followups/", views.followup_list, name="contacts-followups"),
    path("followups/<int:pk>/email/", views.followup_email, name="contacts-followup-email"),
    path("followups/email/", views.followup_email_many, name="contacts-followup-email-many"),
    path("followups/emails/<int:pk>/", views.email_batch, name="contacts-email-batch"),
    path(
        "followups/<int:pk>/<slug:action>/",
        views.followup_action,
        name="contacts-followup-action",
    ),
]
