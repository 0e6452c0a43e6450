from django.urls import path

from contacts import import_views, merge_views, views, vocabulary_views

urlpatterns = [
    path("contacts/<int:pk>/", views.contact, name="contacts-contact"),
    path("contacts/duplicates/", merge_views.duplicates_page, name="contacts-duplicates"),
    path("contacts/<int:pk>/merge/<int:other_pk>/", merge_views.merge_page, name="contacts-merge"),
    path("contacts/merges/<int:pk>/undo/", merge_views.undo_merge, name="contacts-merge-undo"),
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
    path("followups/<int:pk>/", views.followup_detail, name="contacts-followup"),
    path("followups/bulk/<slug:action>/", views.followup_bulk, name="contacts-followup-bulk"),
    path(
        "followups/restore/",
        views.followup_restore_many,
        name="contacts-followup-restore-many",
    ),
    path("followups/filters/", views.saved_filter_save, name="contacts-saved-filter"),
    path(
        "followups/filters/<int:pk>/delete/",
        views.saved_filter_delete,
        name="contacts-saved-filter-delete",
    ),
    path("followups/<int:pk>/email/", views.followup_email, name="contacts-followup-email"),
    path("followups/email/", views.followup_email_many, name="contacts-followup-email-many"),
    path("followups/emails/<int:pk>/", views.email_batch, name="contacts-email-batch"),
    path(
        "followups/<int:pk>/<slug:action>/",
        views.followup_action,
        name="contacts-followup-action",
    ),
    path("vocabularies/", vocabulary_views.vocabulary_list, name="contacts-vocabularies"),
    path(
        "vocabularies/import/",
        vocabulary_views.vocabulary_import,
        name="contacts-vocabulary-import",
    ),
    path("vocabularies/<int:pk>/", vocabulary_views.vocabulary_page, name="contacts-vocabulary"),
    path(
        "vocabularies/<int:pk>.json",
        vocabulary_views.vocabulary_export,
        name="contacts-vocabulary-export",
    ),
    path(
        "vocabularies/<int:pk>/copy/",
        vocabulary_views.vocabulary_copy,
        name="contacts-vocabulary-copy",
    ),
    path(
        "vocabularies/<int:pk>/meanings/new/",
        vocabulary_views.meaning_save,
        name="contacts-vocabulary-meaning-new",
    ),
    path(
        "vocabularies/<int:pk>/meanings/<int:meaning>/",
        vocabulary_views.meaning_save,
        name="contacts-vocabulary-meaning",
    ),
    path(
        "vocabularies/<int:pk>/meanings/<int:meaning>/delete/",
        vocabulary_views.meaning_delete,
        name="contacts-vocabulary-meaning-delete",
    ),
    path(
        "vocabularies/<int:pk>/rules/new/",
        vocabulary_views.rule_save,
        name="contacts-vocabulary-rule-new",
    ),
    path(
        "vocabularies/<int:pk>/rules/<int:rule>/",
        vocabulary_views.rule_save,
        name="contacts-vocabulary-rule",
    ),
    path(
        "vocabularies/<int:pk>/rules/<int:rule>/delete/",
        vocabulary_views.rule_delete,
        name="contacts-vocabulary-rule-delete",
    ),
    path(
        "vocabularies/<int:pk>/changes/<int:change>/revert/",
        vocabulary_views.change_revert,
        name="contacts-vocabulary-revert",
    ),
]
