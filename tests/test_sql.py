from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, models
from django.db.models import Case, F, Func, Q, Value, When
from django.db.models.functions import Length, Substr, Upper
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, ContactEmail
from events.models import Conference
from foldcard.sql import Condition, Prepared, Switch, any_of

pytestmark = pytest.mark.django_db


def test_a_prepared_query_is_compiled_once_and_reads_the_rows_on_every_call(conference):
    built = []

    def build(slug):
        built.append(slug)
        return Conference.objects.filter(slug=slug)

    conferences = Prepared(build)
    assert conferences.first(conference.slug) == conference
    Conference.objects.filter(pk=conference.pk).update(name="Renamed Expo")
    assert conferences.first(conference.slug).name == "Renamed Expo"
    assert conferences.first("no-such-conference") is None
    assert len(built) == 1


def test_a_value_may_stand_in_several_places_of_the_query():
    anna = Contact.objects.create(name="Anna", email="anna@acme.io")
    ContactEmail.objects.create(contact=anna, email="anna@home.example")
    people = Prepared(
        lambda email: (
            Contact.objects.filter(email=email)
            | Contact.objects.filter(
                pk__in=ContactEmail.objects.filter(email=email).values("contact")
            )
        )
    )
    assert [p.pk for p in people("anna@acme.io")] == [anna.pk]
    assert [p.pk for p in people("anna@home.example")] == [anna.pk]
    assert list(people("ben@acme.io")) == []


@pytest.mark.parametrize(
    "build",
    [
        lambda slug: Conference.objects.filter(slug__startswith=slug),  # a changed value
        lambda slug: Conference.objects.filter(name__contains=slug),  # %…% around it
        lambda slug: Conference.objects.filter(slug=slug, name__startswith=slug),  # once so
        lambda slug: Conference.objects.all(),  # not used at all
    ],
)
def test_a_value_that_is_not_one_exact_parameter_is_refused(build):
    with pytest.raises(ValueError, match="one exact lookup's"):
        Prepared(build).first("expo")


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return sorted(name for (name,) in cursor.fetchall())


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's prepared statements"
)


@on_postgresql
@pytest.mark.django_db(transaction=True)  # it closes the connection: not in a transaction
def test_on_postgresql_it_is_prepared_once_per_connection_and_not_counted(conference):
    conferences = Prepared(lambda slug: Conference.objects.filter(slug=slug))
    with CaptureQueriesContext(connection) as captured:
        assert conferences.first(conference.slug) == conference
        assert conferences.first("no-such-conference") is None
    assert [q["sql"] for q in captured] == [
        f"EXECUTE {conferences.name} ('{conference.slug}')",
        f"EXECUTE {conferences.name} ('no-such-conference')",
    ]
    assert conferences.name in prepared_statements()
    # A new connection (the database restarted, say) prepares it again.
    connection.close()
    assert conferences.first(conference.slug) == conference
    assert conferences.name in prepared_statements()


@on_postgresql
def test_on_postgresql_with_a_connection_per_request_it_is_sent_as_sql(conference, monkeypatch):
    # Prepared, it would be prepared again on every request.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    conferences = Prepared(lambda slug: Conference.objects.filter(slug=slug))
    with CaptureQueriesContext(connection) as captured:
        assert conferences.first(conference.slug) == conference
    assert captured[0]["sql"].startswith("SELECT")
    assert conferences.name not in prepared_statements()


def test_any_of_finds_what_any_query_finds_once_and_leaves_out_those_finding_nothing():
    dana = Contact.objects.create(name="Dana", email="dana@acme.io")
    ContactEmail.objects.create(contact=dana, email="dana@home.example")
    li = Contact.objects.create(name="Li", email="li@hooli.example")

    def people(*emails):
        found = any_of(
            Contact.objects.filter(email__in=emails).values("pk"),
            ContactEmail.objects.filter(email__in=emails).values("contact_id"),
        )
        return list(Contact.objects.filter(pk__in=found).order_by("pk"))

    assert people("dana@acme.io", "dana@home.example", "li@hooli.example") == [dana, li]
    assert people("dana@home.example") == [dana]
    assert people() == []  # each part an empty IN, left out


def test_an_expired_or_deleted_session_is_no_longer_logged_in(client, alice):
    client.force_login(alice)
    url = reverse("contacts-followups")
    assert client.get(url).status_code == 200
    session = Session.objects.get()
    session.expire_date = timezone.now() - timedelta(seconds=1)
    session.save()
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(alice)
    assert client.get(url).status_code == 200
    Session.objects.all().delete()
    assert client.get(url).status_code == 302


def test_switch_gives_the_result_of_the_value_and_asks_for_it_once():
    for name in ["Dana", "Li", ""]:
        Contact.objects.create(name=name)
    initial = Substr(Upper(F("name")), 1, 1)
    results = {"D": Value("dana"), "L": Value("li")}
    switched = Switch(initial, results, default=Value("?"), output_field=models.TextField())
    got = Contact.objects.order_by("pk").values_list(switched, flat=True)
    assert list(got) == ["dana", "li", "?"]
    assert str(got.query).count("UPPER") == 1
    without_default = Contact.objects.order_by("pk").values_list(
        Switch(F("name"), {"Li": Value("li")}, output_field=models.TextField()), flat=True
    )
    assert list(without_default) == [None, "li", None]


def test_a_condition_puts_each_expression_in_its_place_as_when_and_filter_take_it():
    for name in ["Dana", "Li", ""]:
        Contact.objects.create(name=name)

    def names(*conditions) -> set[str]:
        return set(Contact.objects.filter(*conditions).values_list("name", flat=True))

    long_or_empty = Condition("%s > %s OR %s = ''", Length("name"), Value(2), F("name"))
    assert names(long_or_empty) == {"Dana", ""}
    # In their order, each in parentheses, and the whole too.
    assert names(Condition("%s || %s = %s", Value("x"), F("name"), Value("xLi"))) == {"Li"}
    either = Func(Value(True), Value(True), arg_joiner=" OR ", template="%(expressions)s")
    assert names(Condition("%s = '' AND %s", F("name"), either)) == {""}
    assert names(Condition("%s = 'Li' OR %s = ''", F("name"), F("name")), Q(name="")) == {""}
    said = Case(When(long_or_empty, then=Value("yes")), default=Value("no"))
    got = Contact.objects.order_by("pk").values_list(said, flat=True)
    assert list(got) == ["yes", "no", "yes"]
