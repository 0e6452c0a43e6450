from django.urls import path

from events import views

urlpatterns = [
    path("new/", views.create, name="events-create"),
    path("<slug:slug>/", views.detail, name="events-detail"),
]
