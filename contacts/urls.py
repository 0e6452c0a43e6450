from django.urls import path

from contacts import views

urlpatterns = [
    path("contacts/<int:pk>/", views.contact, name="contacts-contact"),
]
