"""Work done in the background by `manage.py db_worker` (see TASKS in the settings)."""

from __future__ import annotations

import smtplib
from contextlib import suppress

from django.core.mail import get_connection
from django.db.models import F
from django.utils import timezone
from django_tasks import task

import reading
from contacts import emails, imports, queries, rules, services
from contacts.models import Card, EmailBatch, Import, Reprioritization, StackPhoto


@task()
def send_email_batch(batch_id: int) -> None:
    """Send each card of the batch its own follow-up email, from its meaning's template.

    A card already emailed by this batch is skipped, so that a batch run again after the
    worker stopped half-way sends no one a second email.
    """
    batch = EmailBatch.objects.select_related("created_by").get(pk=batch_id)
    pending = batch.cards.exclude(emails__batch=batch).order_by("pk")
    cards = pending.select_related("contact", "conference", "vocabulary")
    user = batch.created_by
    with get_connection() as connection:
        for card in queries.decode_cards(cards):
            problem = _send(batch, card, user, connection)
            if problem:
                batch.problems.append(problem)
                EmailBatch.objects.filter(pk=batch.pk).update(
                    failed=F("failed") + 1, problems=batch.problems
                )
            else:
                EmailBatch.objects.filter(pk=batch.pk).update(sent=F("sent") + 1)
    EmailBatch.objects.filter(pk=batch.pk).update(finished_at=timezone.now())


def _send(batch: EmailBatch, card: Card, user, connection) -> str:
    """Send the card's email, and mark its follow-up done if the batch says so; return
    why it was not sent, or "" when it went.

    A card someone changed since it was chosen (closed it, snoozed it), or of a person who
    declined to be contacted, is not emailed; one changed while its email was sent is not
    marked done.
    """
    name = card.contact.display_name
    # Read again: the batch's cards were read when it started, and it takes a while.
    card.refresh_from_db(fields=["state", "snoozed_until", "version", "owner"])
    queries.read_persons_consent([card])
    if card.version != batch.versions.get(str(card.pk), card.version):
        state = card.get_state_display().lower()
        return f"{name}: skipped, someone changed it since it was chosen (it is {state} now)"
    if not rules.may_be_emailed(card):
        return f"{name}: skipped, {rules.DECLINED}"
    if not card.contact.email:
        return f"{name}: no email address"
    subject, body = emails.draft(card)
    try:
        emails.send_followup(card, user, subject, body, batch=batch, connection=connection)
    except (smtplib.SMTPException, OSError) as e:
        return f"{name}: {e}"
    if batch.mark_done:
        # Changed by someone while its email went: what they did stands.
        with suppress(services.EditConflict):
            services.work_followup(
                card, user, "done", "First contact by email.", version=card.version
            )
    return ""


# What a person sees on a card or stack photo whose reading failed on an error of the
# reader's own; the error itself goes to the task's result, for whoever runs the server.
READING_BROKE = "The reader failed on this photo; type the card in."


def read_photo(photo: bytes, conference) -> dict:
    """Return what is read from a card's photo, as plain data (reading.Reading.as_json)."""
    region = conference.country or None
    return reading.read_card(photo, default_region=region).as_json()


@task()
def read_card_photo(card_id: int) -> None:
    """Read a card saved with only its photo and folds, and fill in who it is of."""
    cards = Card.objects.select_related("contact", "conference", "vocabulary")
    card = cards.filter(pk=card_id).first()
    if card is None or not card.photo:  # undone, or its photo taken away, meanwhile
        return
    with card.photo.open("rb") as photo:
        content = photo.read()
    try:
        answer = read_photo(content, card.conference)
    except reading.UnreadableImage as e:
        services.reading_failed(card, str(e))
        return
    except Exception:
        # Left waiting, the card would say "Waiting to be read" for ever.
        services.reading_failed(card, READING_BROKE)
        raise
    try:
        services.apply_reading(card, answer)
    except services.EditConflict:
        # Someone edited the card meanwhile: what they typed stands.
        Card.objects.filter(pk=card.pk).update(reading=answer)


@task()
def read_stack_photo(stack_photo_id: int) -> None:
    """Read one photo of a stack, for a person to review."""
    stack_photo = StackPhoto.objects.select_related("conference").filter(pk=stack_photo_id)
    stack_photo = stack_photo.first()
    if stack_photo is None:  # discarded meanwhile
        return
    with stack_photo.photo.open("rb") as photo:
        content = photo.read()
    try:
        stack_photo.reading = read_photo(content, stack_photo.conference)
    except reading.UnreadableImage as e:
        stack_photo.state, stack_photo.error = StackPhoto.State.FAILED, str(e)
    except Exception:
        # Left waiting, the stack's progress would never reach 100%.
        stack_photo.state, stack_photo.error = StackPhoto.State.FAILED, READING_BROKE
        stack_photo.save(update_fields=["state", "error"])
        raise
    else:
        has_fields = bool(stack_photo.reading["fields"])
        stack_photo.state = StackPhoto.State.READ if has_fields else StackPhoto.State.FAILED
    stack_photo.save(update_fields=["reading", "state", "error"])


@task()
def check_import(import_id: int) -> None:
    """Check a file kept for import with its column mapping (see imports.check_upload)."""
    upload = Import.objects.filter(pk=import_id).first()
    if upload is not None:  # else discarded meanwhile
        imports.check_upload(upload)


@task()
def run_import(import_id: int) -> None:
    """Import a checked file, all or nothing (see imports.import_upload)."""
    upload = Import.objects.select_related("conference", "created_by").filter(pk=import_id).first()
    if upload is not None:
        imports.import_upload(upload)


@task()
def reprioritize_cards(job_id: int) -> None:
    """Re-decode the cards of a vocabulary after an edit, batch by batch, each batch its
    own transaction (services.reprioritize_batch); a job run again after the worker
    stopped half-way goes on from the last batch done."""
    job = Reprioritization.objects.filter(pk=job_id, finished_at=None).first()
    while job is not None and services.reprioritize_batch(job):
        pass
