"""The REST API (mounted at /api/v1/), and the settings page's token actions."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from api.exceptions import Conflict
from api.forms import ApiTokenForm, CardFilterForm
from api.models import ApiToken
from api.pagination import CappedPages
from api.permissions import HasRole, token_of
from api.serializers import (
    CardInputSerializer,
    CardSerializer,
    CardUpdateSerializer,
    ConferenceSerializer,
    DecodingSerializer,
    MeaningSerializer,
    MeaningUpdateSerializer,
    VocabularySerializer,
)
from contacts import folds, queries, rules, services, vocabularies
from contacts import views as contacts_views
from contacts.forms import CardForm, UserSettingsForm
from contacts.models import FOLLOW_UP_ORDER, Card, Contact, Meaning, UserSettings, Vocabulary
from events.models import CONFERENCE_WITH_SLUG, Conference
from events.views import REPLAY_CONFLICT
from foldcard.http import form_errors
from foldcard.text import sentence

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
        responses={
            201: CardSerializer,
            200: CardSerializer,
            409: OpenApiResponse(description="The client_uuid is another user's card's."),
        },
        description=(
            "Log a card at the conference, as the booth does. A replayed client_uuid "
            "returns the card already logged with 200."
        ),
    )
    def post(self, request, slug: str) -> Response:
        conference = CONFERENCE_WITH_SLUG.first(slug)
        token = token_of(request)
        if conference is None or (token is not None and not token.reaches(conference)):
            raise Http404("No conference matches the given query.")
        serializer = CardInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = CardForm(data=serializer.form_data(), chosen_names=True)
        if not form.is_valid():
            raise exceptions.ValidationError(_field_errors(form))
        try:
            logged = services.log_card(conference, request.user, form.to_input())
        except services.ReplayConflict as e:
            raise Conflict(REPLAY_CONFLICT) from e
        logged.card.decoding = logged.decoding
        return Response(
            CardSerializer(logged.card).data,
            status=status.HTTP_201_CREATED if logged.created else status.HTTP_200_OK,
        )


# What a card's JSON reads besides the card.
CARD_RELATED = ("contact", "conference", "vocabulary", "owner", "logged_by")


def _cards(request):
    """Return the cards the request's token reaches."""
    cards = Card.objects.select_related(*CARD_RELATED).with_persons_consent()
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
    pagination_class = CappedPages

    def get_queryset(self):
        form = CardFilterForm(self.request.query_params, owners=queries.filterable_owners())
        # A misspelt filter would list every card, as if none was given.
        paging = self.paginator.page_query_param, self.paginator.page_size_query_param
        known = [*form.fields, *paging, api_settings.URL_FORMAT_OVERRIDE]
        if unknown := sorted(set(self.request.query_params) - set(known)):
            problem = (
                f"Unknown parameter{pluralize(unknown)}: {', '.join(unknown)}; "
                f"known: {', '.join(known)}"
            )
            raise exceptions.ValidationError({"non_field_errors": [sentence(problem)]})
        if not form.is_valid():
            raise exceptions.ValidationError(_field_errors(form))
        filters = form.filters()
        token = token_of(self.request)
        if token is not None and token.conference is not None:
            if filters.conference not in (None, token.conference):
                return Card.objects.none()
            filters = dataclasses.replace(filters, conference=token.conference)
        cards = queries.followup_cards(self.request.user, timezone.localdate(), filters)
        cards = cards.select_related(*CARD_RELATED).with_persons_consent()
        return cards.order_by(*FOLLOW_UP_ORDER)

    def paginate_queryset(self, queryset):
        # Decoded a page at a time, each vocabulary's table compiled once.
        return queries.decode_cards(super().paginate_queryset(queryset))


STALE_VERSION = (
    "The card changed since the version you edited; read it again and make your change "
    "on the new version."
)


class CardDetail(generics.RetrieveAPIView):
    """Return one card."""

    required_permission = WORK
    permission_classes = [HasRole]
    serializer_class = CardSerializer

    def get_queryset(self):
        return _cards(self.request)

    @extend_schema(
        request=CardUpdateSerializer,
        responses={
            200: CardSerializer,
            409: OpenApiResponse(description="The card changed since the version given."),
        },
        description=(
            "Edit a card's folds and fields, as the booth's edit does, and set its "
            "follow-up's state (open, done or dropped, with an outcome). Done and dropped "
            "close the whole follow-up, as the follow-up list does: with the person's other "
            "waiting cards at that conference that have the same owner (each its own "
            "webhook event); open reopens this card alone. Give the card's "
            "version as read: if the card changed since, nothing is changed and the answer "
            "is 409. Fields left out keep their value. An email of another person moves "
            "the card to them, given with their id as `contact`; without it the answer is "
            "400, naming them, and nothing is changed."
        ),
    )
    def patch(self, request, pk: int) -> Response:
        card = self.get_object()
        serializer = CardUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        edits = serializer.edits()
        if edits and not request.user.has_perm(LOG):
            raise exceptions.PermissionDenied("Your role does not allow editing cards.")
        if "state" in data and not rules.can_work(request.user, card):
            raise exceptions.PermissionDenied(
                "Only the card's owner or a manager may change its follow-up."
            )
        with transaction.atomic():
            _lock_unchanged(card, data["version"])  # stale: a 409 before what the edit says
            if edits:
                _edit_card(card, request.user, edits, data["version"], data.get("contact"))
            if "state" in data and (data["state"] != card.state or "outcome" in data):
                _set_state(card, request.user, data["state"], data.get("outcome"))
        if edits:  # they may change the consent or the person: read again
            queries.read_persons_consent([card])
        return Response(CardSerializer(card).data)


def _lock_unchanged(card: Card, version: int) -> None:
    """Lock the card for the request's transaction, or answer 409 if it changed since
    ``version``."""
    try:
        services.lock_unchanged(card, version)
    except services.EditConflict as e:
        raise Conflict(STALE_VERSION) from e


# The list's action that closes a follow-up in each state a client may give.
CLOSING_ACTIONS = {Card.State.DONE: "done", Card.State.DROPPED: "drop"}


def _set_state(card: Card, user, state: str, outcome: str | None) -> None:
    """Reopen the card's follow-up (the card alone), or close it as the follow-up list
    does: with the person's other waiting cards at that conference (``outcome`` recorded
    when given); a closed card given its own state again has its outcome corrected, alone."""
    if state == Card.State.OPEN:
        services.reopen_followup(card, user)
    elif state == card.state:
        services.correct_outcome(card, user, outcome)
    else:
        services.work_followup(card, user, CLOSING_ACTIONS[state], outcome)


def _edit_card(card: Card, user, edits: dict, version: int, confirmed: int | None) -> None:
    """Apply ``user``'s ``edits`` to the card through the booth's form and service; the
    fields not edited keep their values. An email of another person moves the card to
    them only when ``confirmed`` is their id, as on the edit page."""
    contact = card.contact
    current = {name: getattr(contact, name) for name in (*services.CONTACT_DETAILS, "email")}
    current |= {"folds": card.fold_codes, "note": card.note, "consent": card.consent}
    data = {**current, **edits, "version": version}
    form = CardForm(data=data, has_photo=bool(card.photo))
    if not form.is_valid():
        raise exceptions.ValidationError(_field_errors(form))
    email = Contact.normalize_email(form.cleaned_data["email"])
    if confirmed is not None:
        # Only to say whose the email is: the id of anyone else is a mistake.
        owner = queries.person_with_email(email)
        if owner is None or owner.pk != confirmed:
            whose = f"the email of {owner} (person {owner.pk})" if owner else "no one's yet"
            problem = f'"contact" is the id of the person whose email is given: {email} is {whose}'
            if not email:
                problem = '"contact" is the id of the person whose email is given, and none is'
            raise exceptions.ValidationError({"contact": [sentence(problem)]})
    elif known := queries.moved_to(card, email, None):
        problem = (
            f'{email} is the email of {known} (person {known.pk}). Give "contact": {known.pk} '
            f"with it to give this card to them: {services.what_a_move_does(card)}. Or give "
            "another email"
        )
        raise exceptions.ValidationError({"email": [sentence(problem)]})
    try:
        services.update_card(card, form.to_input(), by=user)
    except services.EditConflict as e:
        raise Conflict(STALE_VERSION) from e


def editing(model: str) -> dict[str, tuple[str, ...]]:
    """Return the permissions to read and write ``model`` of the vocabulary: those who log
    cards or edit vocabularies read it, vocabulary editors write it."""
    return {
        "GET": (LOG, f"contacts.view_{model}"),
        "POST": (f"contacts.add_{model}",),
        "PATCH": (f"contacts.change_{model}",),
        "DELETE": (f"contacts.delete_{model}",),
    }


class MeaningList(generics.ListCreateAPIView):
    """List the meanings folds can have, or add one (vocabulary editors)."""

    method_permissions = editing("meaning")
    permission_classes = [HasRole]
    site_wide = True
    serializer_class = MeaningSerializer
    queryset = Meaning.objects.order_by("order", "slug")


class MeaningDetail(generics.RetrieveUpdateDestroyAPIView):
    """Read, change or delete a meaning (vocabulary editors); the cards of the vocabularies
    using it are decoded again. A meaning a rule uses cannot be deleted (409)."""

    method_permissions = editing("meaning")
    permission_classes = [HasRole]
    site_wide = True
    serializer_class = MeaningSerializer
    queryset = Meaning.objects.all()
    lookup_field = "slug"
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_serializer_class(self):
        if self.request.method == "PATCH":
            return MeaningUpdateSerializer
        return MeaningSerializer

    @extend_schema(request=MeaningUpdateSerializer, responses=MeaningSerializer)
    def patch(self, request, *args, **kwargs) -> Response:
        return super().patch(request, *args, **kwargs)

    def perform_update(self, serializer) -> None:
        with transaction.atomic():
            services.meaning_changed(serializer.save())

    @extend_schema(
        responses={204: None, 409: OpenApiResponse(description="Rules use the meaning.")}
    )
    def delete(self, request, *args, **kwargs) -> Response:
        return super().delete(request, *args, **kwargs)

    def perform_destroy(self, meaning: Meaning) -> None:
        try:
            vocabularies.check_unused(meaning)
        except vocabularies.VocabularyError as e:
            raise Conflict(str(e)) from e
        services.delete_meanings(Meaning.objects.filter(pk=meaning.pk))


def visible_vocabularies(user):
    """Return the vocabularies ``user`` sees (another user's own copy is theirs alone),
    with their rules."""
    visible = Vocabulary.objects.filter(rules.visible_vocabularies(user))
    return visible.prefetch_related("rules__meanings")


class VocabularyList(generics.ListCreateAPIView):
    """List the vocabularies with their fold rules, or add one (vocabulary editors)."""

    method_permissions = editing("vocabulary")
    permission_classes = [HasRole]
    site_wide = True
    serializer_class = VocabularySerializer

    def get_queryset(self):
        return visible_vocabularies(self.request.user).order_by("name", "pk")


class VocabularyDetail(generics.RetrieveUpdateDestroyAPIView):
    """Read, change or delete a vocabulary (vocabulary editors). Rules given replace all
    its rules; its cards are decoded again. A vocabulary cards were decoded with cannot be
    deleted (409)."""

    method_permissions = editing("vocabulary")
    permission_classes = [HasRole]
    site_wide = True
    serializer_class = VocabularySerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    @extend_schema(
        responses={204: None, 409: OpenApiResponse(description="Cards use the vocabulary.")}
    )
    def delete(self, request, *args, **kwargs) -> Response:
        return super().delete(request, *args, **kwargs)

    def get_queryset(self):
        return visible_vocabularies(self.request.user)

    def perform_destroy(self, vocabulary: Vocabulary) -> None:
        try:
            vocabulary.delete()
        except ProtectedError as e:
            raise Conflict("Cards were decoded with this vocabulary: it cannot be deleted.") from e


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
    """Create a token for the user and show its key, this once; or show the settings page
    again with the form as typed and what is wrong with it."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        settings_form = UserSettingsForm(instance=UserSettings.of(request.user))
        return contacts_views.render_settings(request, settings_form, form, status=400)
    token, key = ApiToken.issue(request.user, **form.cleaned_data)
    return render(request, "api/token_created.html", {"token": token, "key": key})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token.delete()
    messages.success(request, sentence(f"Revoked the token {token.name}"))
    return redirect("contacts-settings")
