from __future__ import annotations

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from api import views

# drf-spectacular's Swagger page has one inline <style> (its margins), which the site's
# policy refuses: the docs page alone allows that style by its hash. Another version of
# drf-spectacular with another style fails tests/test_security.py.
SWAGGER_STYLE = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"


def api(view, **initkwargs):
    """Return the API view ``view``: it authenticates by itself (token or session), so
    the site's login redirect must not stand before it."""
    return login_not_required(view.as_view(**initkwargs))


urlpatterns = [
    # The API's own address leads to its documentation, as /api/ does (foldcard/urls.py).
    path("", api(RedirectView, pattern_name="api-docs"), name="api-root"),
    path("conferences/", api(views.ConferenceList), name="api-conferences"),
    path("conferences/<slug:slug>/cards/", api(views.CardCreate), name="api-card-create"),
    path("cards/", api(views.CardList), name="api-cards"),
    path("cards/<int:pk>/", api(views.CardDetail), name="api-card"),
    path("meanings/", api(views.MeaningList), name="api-meanings"),
    path("meanings/<slug:slug>/", api(views.MeaningDetail), name="api-meaning"),
    path("vocabularies/", api(views.VocabularyList), name="api-vocabularies"),
    path("vocabularies/<int:pk>/", api(views.VocabularyDetail), name="api-vocabulary"),
    path("decode", api(views.Decode), name="api-decode"),
    path("openapi.json", api(SpectacularJSONAPIView), name="api-schema"),
    path(
        "docs/",
        csp_update({"style-src": [SWAGGER_STYLE]})(
            api(SpectacularSwaggerSplitView, url_name="api-schema")
        ),
        name="api-docs",
    ),
    # Last: any other path under the API is a 404 in the API's own terms, not a page.
    path("<path:rest>", api(views.Unknown), name="api-unknown"),
]
