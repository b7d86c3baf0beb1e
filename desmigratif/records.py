"""The record framework every pillar shares: records with a version number checked on save
(the lost-update check), editable code lists, and the hook that tells the dashboards a write
changed what they count. Pillars build on it; it knows no pillar."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction
from django.db.models import F
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.contenttypes.fields import GenericForeignKey
    from django_stubs_ext import StrOrPromise


class Versioned(models.Model):
    """Optimistic locking: a save names the version it started from and fails if
    someone else saved in between (:func:`record_save`)."""

    version = models.PositiveIntegerField(_("version"), default=1)
    validation_warnings = models.JSONField(_("validation warnings"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    if TYPE_CHECKING:
        # What every versioned model declares itself (an abstract base cannot): its history
        # (django-simple-history's, untyped) and its page.
        history: Any

        def get_absolute_url(self) -> str: ...


class Labelled(models.Model):
    """An entry of an editable code list, named in Indonesian (``name``) and, optionally, in
    English (``name_en``): shown in the viewer's language."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:
        name: str
        name_en: str

    @property
    def label(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class CodeListQuerySet(models.QuerySet):
    """Editable code lists (jobs, categories, activity kinds): entries are retired, not deleted."""

    def active(self) -> CodeListQuerySet:
        return self.filter(is_active=True)


class StaleRecordError(Exception):
    """Someone saved the record after this user opened it: nothing was written."""

    def __init__(self, current: Versioned, changed_by: str, changed_fields: dict[str, tuple[Any, Any]]) -> None:
        super().__init__(f"{type(current).__name__} {current.pk} changed since version was read")
        self.current = current
        self.changed_by = changed_by
        # field name -> (value this user started from, value saved meanwhile)
        self.changed_fields = changed_fields


def changed_field_labels(conflict: StaleRecordError) -> list[tuple[StrOrPromise, Any, Any]]:
    """What a conflict page lists: each changed field's label, the value this user started
    from and the value saved meanwhile."""
    meta = type(conflict.current)._meta
    return [
        (_field_label(meta.get_field(name.removesuffix("_id"))), mine, theirs)
        for name, (mine, theirs) in conflict.changed_fields.items()
    ]


def _field_label(field: models.Field | models.ForeignObjectRel | GenericForeignKey) -> StrOrPromise:
    # The record's own columns are fields; a relation's other end or a generic key has no label.
    return field.verbose_name if isinstance(field, models.Field) else field.name


def record_attach_user(instance: models.Model, user: Any) -> None:
    # django-simple-history takes the user from the request; outside one (imports,
    # commands, tests) the service passes it explicitly.
    if user is not None:
        # The author of the next history row: an attribute django-simple-history reads, undeclared.
        instance._history_user = user  # type: ignore[attr-defined]


V = TypeVar("V", bound=Versioned)


@transaction.atomic
def record_save(*, instance: V, expected_version: int, user: Any = None, original: dict[str, Any] | None = None) -> V:
    """Save ``instance`` if it is still at ``expected_version``, else raise StaleRecordError
    naming what the other user changed. The version check and the bump are one UPDATE."""
    model = type(instance)
    # The default manager is each model's ``objects``, the one a generic function can name.
    bumped = model._default_manager.filter(pk=instance.pk, version=expected_version).update(version=F("version") + 1)
    if not bumped:
        current = model._default_manager.get(pk=instance.pk)
        raise record_conflict(record=current, since_version=expected_version, original=original)
    instance.version = expected_version + 1
    record_attach_user(instance, user)
    instance.save()
    return instance


@transaction.atomic
def record_form_save(
    *, form: Any, expected_version: int, user: Any, before_save: Callable[[Any], None] | None = None
) -> Any:
    """Save the record of a valid portal ModelForm (a page's or the API's): a new one as the
    form saves it; an edited one if it is still at ``expected_version``, else StaleRecordError
    and nothing written (what ``before_save`` wrote for it included)."""
    if before_save is not None:
        before_save(form)
    record = form.instance
    if record.pk is None:
        record_attach_user(record, user)
        form.save()
        return record
    record_save(instance=record, expected_version=expected_version, user=user)
    # The version check covers the record's own columns; its many-to-many choices (an
    # enterprise's members, a session's children) follow it.
    for field in record._meta.many_to_many:
        if field.name in form.cleaned_data:
            getattr(record, field.name).set(form.cleaned_data[field.name])
    return record


def record_conflict(
    *, record: Versioned, since_version: int, original: dict[str, Any] | None = None
) -> StaleRecordError:
    """What happened to ``record`` since ``since_version``, which a user's form started from:
    who saved it last and which fields they changed."""
    latest = record.history.first()
    changed_by = str(latest.history_user) if latest is not None and latest.history_user else ""
    return StaleRecordError(record, changed_by, _changes_since(record, since_version, original))


_NOT_COMPARED = {"id", "version", "created_at", "updated_at", "validation_warnings"}


def _changes_since(current: Versioned, version: int, original: dict[str, Any] | None) -> dict[str, tuple[Any, Any]]:
    """Fields that differ between the version the user started from (its history row,
    or ``original`` when given) and the record as saved meanwhile."""
    started = original
    if started is None:
        row = current.history.filter(version=version).order_by("-history_date").first()
        if row is None:
            return {}
        started = {
            f.attname: getattr(row, f.attname)
            for f in type(current)._meta.concrete_fields
            if f.attname not in _NOT_COMPARED
        }
    return {name: (value, getattr(current, name)) for name, value in started.items() if getattr(current, name) != value}


# --- the dashboards' figures follow writes ---------------------------------------------------------------

# Callables run after a committed write that changed what the dashboards count (a record saved
# through a form), and after a batch write (an import or its rollback). The dashboards app
# subscribes in its AppConfig.ready(); pillars call the two functions below and import nothing
# of the dashboards.
FIGURES_CHANGED: list[Callable[[], None]] = []
FIGURES_CHANGED_IN_BULK: list[Callable[[], None]] = []


def figures_changed() -> None:
    """Ask for the dashboards' figures to follow a write, once it is committed: once per
    transaction, however many records it wrote."""
    connection = transaction.get_connection()
    pending = {id(callback) for _savepoints, callback, _robust in connection.run_on_commit}
    for subscriber in FIGURES_CHANGED:
        if id(subscriber) not in pending:
            transaction.on_commit(subscriber)


def figures_written(**_signal: Any) -> None:
    """The receiver the dashboards connect to the saves and deletes of what they count."""
    figures_changed()


def figures_changed_in_bulk() -> None:
    """A batch of records was written and committed (an import, a rollback): recount now."""
    for subscriber in FIGURES_CHANGED_IN_BULK:
        subscriber()
