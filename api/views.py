"""The REST API (mounted at /api/v1/), and the settings page's token actions."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.forms import ApiTokenForm, CardFilterForm
from api.models import ApiToken
from api.permissions import HasRole, token_of
from api.serializers import (
    CardInputSerializer,
    CardSerializer,
    ConferenceSerializer,
    DecodingSerializer,
    MeaningSerializer,
    VocabularySerializer,
)
from contacts import folds, queries, services
from contacts.forms import CardForm
from contacts.models import FOLLOW_UP_ORDER, Card, Meaning, UserSettings, Vocabulary
from events.models import Conference
from foldcard.http import form_errors

User = get_user_model()

LOG = "contacts.log_cards"
WORK = "contacts.work_followups"


def _conferences(request) -> object:
    """Return the conferences the request's token reaches."""
    token = token_of(request)
    conferences = Conference.objects.all()
    if token is not None and token.conference_id is not None:
        conferences = conferences.filter(pk=token.conference_id)
    return conferences


def _field_errors(form) -> dict[str, list[str]]:
    """Return the form's errors with the form's own under DRF's "non_field_errors"."""
    return {
        "non_field_errors" if field == "__all__" else field: messages
        for field, messages in form_errors(form).items()
    }


class ConferenceList(generics.ListAPIView):
    """List the conferences (those the token reaches), newest first."""

    required_permission = LOG
    permission_classes = [HasRole]
    serializer_class = ConferenceSerializer

    def get_queryset(self):
        return _conferences(self.request).order_by("-starts_on", "name", "pk")


class CardCreate(APIView):
    required_permission = LOG
    permission_classes = [HasRole]

    @extend_schema(
        request=CardInputSerializer,
        responses={201: CardSerializer, 200: CardSerializer},
        description=(
            "Log a card at the conference, as the booth does. A replayed client_uuid "
            "returns the card already logged with 200."
        ),
    )
    def post(self, request, slug: str) -> Response:
        conference = get_object_or_404(_conferences(request), slug=slug)
        serializer = CardInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = CardForm(data=serializer.form_data())
        if not form.is_valid():
            raise exceptions.ValidationError(_field_errors(form))
        logged = services.log_card(conference, request.user, form.to_input())
        logged.card.decoding = logged.decoding
        return Response(
            CardSerializer(logged.card).data,
            status=status.HTTP_201_CREATED if logged.created else status.HTTP_200_OK,
        )


# What a card's JSON reads besides the card.
CARD_RELATED = ("contact", "conference", "vocabulary", "owner", "logged_by")


def _cards(request):
    """Return the cards the request's token reaches."""
    cards = Card.objects.select_related(*CARD_RELATED)
    token = token_of(request)
    if token is not None and token.conference_id is not None:
        cards = cards.filter(conference_id=token.conference_id)
    return cards


@extend_schema(
    parameters=[
        OpenApiParameter("state", str, enum=[key for key, _ in CardFilterForm.STATES]),
        OpenApiParameter("owner", str, description='"me" (the default), "all" or a user id.'),
        OpenApiParameter("conference", str, description="A conference's slug."),
        OpenApiParameter("meaning", str, description="A meaning's slug."),
        OpenApiParameter("q", str, description="Part of a name, company or email."),
    ]
)
class CardList(generics.ListAPIView):
    """List the cards as the follow-up list filters them, in follow-up order."""

    required_permission = WORK
    permission_classes = [HasRole]
    serializer_class = CardSerializer

    def get_queryset(self):
        form = CardFilterForm(self.request.query_params, owners=User.objects.filter(is_active=True))
        if not form.is_valid():
            raise exceptions.ValidationError(_field_errors(form))
        filters = form.filters()
        token = token_of(self.request)
        if token is not None and token.conference is not None:
            if filters.conference not in (None, token.conference):
                return Card.objects.none()
            filters = dataclasses.replace(filters, conference=token.conference)
        cards = queries.followup_cards(self.request.user, timezone.localdate(), filters)
        return cards.select_related(*CARD_RELATED).order_by(*FOLLOW_UP_ORDER)

    def paginate_queryset(self, queryset):
        # Decoded a page at a time, each vocabulary's table compiled once.
        return queries.decode_cards(super().paginate_queryset(queryset))


class CardDetail(generics.RetrieveAPIView):
    """Return one card."""

    required_permission = WORK
    permission_classes = [HasRole]
    serializer_class = CardSerializer

    def get_queryset(self):
        return _cards(self.request)


class MeaningList(generics.ListAPIView):
    """List the meanings folds can have."""

    required_permission = LOG
    permission_classes = [HasRole]
    serializer_class = MeaningSerializer
    queryset = Meaning.objects.order_by("order", "slug")


class VocabularyList(generics.ListAPIView):
    """List the vocabularies with their fold rules."""

    required_permission = LOG
    permission_classes = [HasRole]
    serializer_class = VocabularySerializer
    queryset = Vocabulary.objects.prefetch_related("rules__meanings").order_by("name", "pk")


def parse_folds(value: str) -> int:
    """Return the mask of ``value``: numpad keys ("795") or fold codes ("UL,UR,HALF")."""
    if all(char in folds.KEYS or char.isspace() for char in value):
        return folds.parse_keys(value)
    return folds.parse_codes(value.split(","))


class Decode(APIView):
    required_permission = LOG
    permission_classes = [HasRole]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "folds",
                OpenApiTypes.STR,
                required=True,
                description='Numpad keys ("795") or fold codes ("UL,UR,HALF").',
            )
        ],
        responses=DecodingSerializer,
    )
    def get(self, request) -> Response:
        """Decode folds through the user's vocabulary."""
        if "folds" not in request.query_params:
            raise exceptions.ValidationError({"folds": ["Give the folds to decode."]})
        try:
            mask = parse_folds(request.query_params["folds"])
        except folds.FoldError as e:
            raise exceptions.ValidationError({"folds": [str(e)]}) from e
        table = UserSettings.of(request.user).get_vocabulary().table()
        return Response(table[mask].as_json())


@extend_schema(exclude=True)
class Unknown(APIView):
    """Answer 404 for any path under the API that names no operation."""

    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs) -> None:
        raise exceptions.NotFound(f"There is no {request.path} in the API.")


@login_required
@require_POST
@never_cache
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token for the user and show its key, this once."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("contacts-settings")
    token, key = ApiToken.issue(request.user, **form.cleaned_data)
    return render(request, "api/token_created.html", {"token": token, "key": key})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token.delete()
    messages.success(request, f"Revoked the token {token.name}.")
    return redirect("contacts-settings")
