from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from api import carddav
from api import views as api_views
from events import views as events_views
from foldcard import views

urlpatterns = [
    path("", events_views.home, name="events-home"),
    path("health/", views.health, name="foldcard-health"),
    path("sw.js", views.service_worker, name="foldcard-service-worker"),
    path("favicon.ico", views.favicon, name="foldcard-favicon"),
    path("events/", include("events.urls")),
    path("", include("contacts.urls")),
    path("api/", login_not_required(RedirectView.as_view(pattern_name="api-docs"))),
    path("api/v1/", include("api.urls")),
    path("webhooks/", include("webhooks.urls")),
    path(".well-known/carddav", carddav.well_known, name="api-carddav-well-known"),
    re_path(r"^dav/", carddav.AddressBookView.as_view(), name="api-carddav"),
    path("settings/tokens/", api_views.token_create, name="api-token-create"),
    path("settings/tokens/<int:pk>/revoke/", api_views.token_revoke, name="api-token-revoke"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

handler400 = "foldcard.views.bad_request"
handler403 = "foldcard.views.permission_denied"
handler404 = "foldcard.views.page_not_found"
handler500 = "foldcard.views.server_error"

admin.site.site_header = "foldcard administration"
admin.site.site_title = "foldcard"
