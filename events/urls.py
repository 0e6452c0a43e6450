from django.urls import path
from django.views.generic import RedirectView

from contacts import import_views
from events import views

urlpatterns = [
    # The conferences are listed on the home page: a path typed up to here goes there.
    path("", RedirectView.as_view(pattern_name="events-home"), name="events-index"),
    path("new/", views.create, name="events-create"),
    path("<slug:slug>/", views.detail, name="events-detail"),
    path("<slug:slug>/edit/", views.edit, name="events-edit"),
    path("<slug:slug>/booth/", views.booth, name="events-booth"),
    path("<slug:slug>/booth/read/", views.booth_read, name="events-booth-read"),
    path("<slug:slug>/booth/lookup/", views.booth_lookup, name="events-booth-lookup"),
    path("<slug:slug>/booth/cards/<int:pk>/", views.booth_card, name="events-booth-card"),
    path("<slug:slug>/booth/cards/<int:pk>/undo/", views.booth_undo, name="events-booth-undo"),
    path(
        "<slug:slug>/cards/<int:pk>/<str:kind>.jpg",
        views.card_photo,
        name="events-card-photo",
    ),
    path("<slug:slug>/stack/", views.stack, name="events-stack"),
    path("<slug:slug>/stack/review/", views.stack_review, name="events-stack-review"),
    path(
        "<slug:slug>/stack/<int:pk>/<str:kind>.jpg",
        views.stack_photo,
        name="events-stack-photo",
    ),
    path("<slug:slug>/import/", import_views.conference_upload, name="events-import"),
    path("<slug:slug>/export.csv", views.export_csv, name="events-export-csv"),
    path("<slug:slug>/contacts.vcf", views.export_vcf, name="events-export-vcf"),
    path("<slug:slug>/followups.ics", views.export_ics, name="events-export-ics"),
]
