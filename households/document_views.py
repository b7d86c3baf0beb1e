"""Documents and photos of persons, stays abroad and service cases: attached from their pages,
served only through :func:`document_view` (scoped, logged, never a public address)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from desmigratif.access import Action, Scope, can, get_scoped_object_or_404, scope_required
from desmigratif.http import AuthenticatedHttpRequest
from desmigratif.middleware import build_policy
from desmigratif.models import AccessLog
from desmigratif.views import form_errors_as_messages
from households.documents import DocumentRefused
from households.forms import DocumentForm
from households.models import Document, MigrationEpisode, Person, ServiceRequest
from households.services import document_attach, document_remove

# The records a document may be kept with, and how each is found.
OWNERS: dict[str, QuerySet[Any]] = {
    "person": Person.objects.select_related("household"),
    "episode": MigrationEpisode.objects.select_related("person__household"),
    "case": ServiceRequest.objects.select_related("person_served", "worker"),
}


def owner_page(owner: Person | MigrationEpisode | ServiceRequest) -> str:
    """Where a document's record is shown: the household page, or the case's page."""
    if isinstance(owner, Person):
        return owner.household.get_absolute_url() + f"#person-{owner.pk}"
    if isinstance(owner, MigrationEpisode):
        return owner.person.household.get_absolute_url() + f"#episode-{owner.pk}"
    return owner.get_absolute_url()  # a case


@require_POST
@scope_required(Action.WRITE)
def document_add(request: AuthenticatedHttpRequest, pk: int, scope: Scope, owner: str) -> HttpResponse:
    """Attach a photo or PDF (the form on the record's page), then back to that page."""
    record = get_scoped_object_or_404(OWNERS[owner], request.user, Action.WRITE, pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document_attach(
                owner=record,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                data=form.cleaned_data["file"].read(),
                user=request.user,
            )
        except DocumentRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The document was attached."))
    else:
        form_errors_as_messages(request, form)
    return redirect(owner_page(record))


def visible_document(request: AuthenticatedHttpRequest, pk: int, action: Action) -> Document:
    """The document, if the user may see it: in their scope, and a child's only for those who
    work in the village (404 otherwise, as for a record that does not exist)."""
    document = get_scoped_object_or_404(Document.objects.all(), request.user, action, pk=pk)
    if document.about_child and not can(request.user, Action.WRITE, document.village_id):
        raise Http404
    return document


@require_GET
@scope_required(Action.READ)
def document_view(request: AuthenticatedHttpRequest, pk: int, scope: Scope) -> HttpResponseBase:
    """The file, to the users who may see it; every view written to the access log."""
    document = visible_document(request, pk, Action.READ)
    try:
        content = document.file.read()
    except FileNotFoundError as missing:
        raise Http404 from missing
    finally:
        document.file.close()
    AccessLog.objects.create(
        user=request.user,
        kind=AccessLog.Kind.DOCUMENT_VIEW,
        what=f"document {document.pk} ({document.kind}) village {document.village_id}",
    )
    response = HttpResponse(content, content_type=document.content_type)
    # A photo is shown in the browser; a PDF (which may carry scripts and links) is handed to the
    # phone's PDF reader as a download. Either way the page may run nothing (sandbox).
    disposition = "inline" if document.is_image else "attachment"
    extension = "jpg" if document.is_image else "pdf"
    response["Content-Disposition"] = f'{disposition}; filename="{document.kind}-{document.pk}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = f"{build_policy(settings.SECURE_CSP)}; sandbox"
    return response


@require_POST
@scope_required(Action.WRITE)
def document_delete(request: AuthenticatedHttpRequest, pk: int, scope: Scope) -> HttpResponse:
    """Remove a document attached by mistake (a wrong photo); its file goes with it."""
    document = visible_document(request, pk, Action.WRITE)
    owner = document.person or document.episode or document.case
    document_remove(document=document)
    messages.success(request, _("The document was removed."))
    return redirect(owner_page(owner))
