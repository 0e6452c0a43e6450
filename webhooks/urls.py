from django.urls import path

from webhooks import views

urlpatterns = [
    path("", views.endpoints, name="webhooks-endpoints"),
    path("<int:pk>/", views.endpoint, name="webhooks-endpoint"),
    path("<int:pk>/enable/", views.endpoint_enable, name="webhooks-endpoint-enable"),
    path("<int:pk>/delete/", views.endpoint_delete, name="webhooks-endpoint-delete"),
]
