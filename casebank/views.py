"""Site views of the case library: listing with search and facets, case page extras, 有用, 投稿."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page, ReferenceIndex

from .dashboard import pages_version
from .filters import FACETS
from .forms import CaseDraftForm
from .library import SORTS, library_facets, search_library
from .models import CaseIndexPage, CasePage, ScenarioType, UsefulMark
from .services import mark_useful, submit_case_draft, unmark_useful

FACET_LABELS = {
    "scenario": gettext_lazy("Scenario type"),
    "tag": gettext_lazy("Tag"),
    "org": gettext_lazy("Org unit of origin"),
    "law": gettext_lazy("Law referenced"),
    "year": gettext_lazy("Year"),
}


def _url_with(params, **changes) -> str:
    """The current query string with ``changes`` applied (None removes a key; page resets)."""
    data = {k: v for k, v in params.items() if k != "page" and v}
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return "?" + urlencode(data) if data else "?"


def _cached_facets(params, result) -> dict[str, list[dict]]:
    """The facet counts of a search (five grouped queries over the matches), cached until a page
    or a site changes (``casebank.dashboard.pages_version``), for ``GA_SITE_CACHE_SECONDS``.
    They do not depend on the sort or the page, so paging through results reuses them."""
    timeout = settings.GA_SITE_CACHE_SECONDS
    terms = result.terms

    def compute():
        # Over the id sets the search already materialised: no second full-text match.
        return library_facets(
            params, terms, matched_ids=result.matched_ids, candidate_ids=result.candidate_ids
        )

    if not timeout:
        return compute()
    described = repr([get_language(), [(k, params.getlist(k)) for k in ("q", *FACETS)]])
    key = f"casebank:facets:{pages_version()}:{hashlib.sha256(described.encode()).hexdigest()}"
    facets = cache.get(key)
    if facets is None:
        facets = compute()
        cache.set(key, facets, timeout)
    return facets


def case_library(request, index: CaseIndexPage):
    """``/cases/``: search, facets with counts, sorting and paging; URLs are shareable."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    params = request.GET
    result = search_library(params, with_facets=False)
    result.facets = _cached_facets(params, result)
    facet_groups = []
    for name in FACETS:
        selected = params.get(name)
        options = [
            {
                **option,
                "selected": option["value"] == selected,
                "url": _url_with(
                    params, **{name: None if option["value"] == selected else option["value"]}
                ),
            }
            for option in result.facets.get(name, [])
        ]
        if selected and not any(o["selected"] for o in options):
            options.insert(
                0,
                {
                    "value": selected,
                    "label": selected,
                    "count": 0,
                    "selected": True,
                    "url": _url_with(params, **{name: None}),
                },
            )
        facet_groups.append(
            {
                "name": name,
                "label": FACET_LABELS[name],
                "options": options,
                "selected": selected,
            }
        )
    sorts = [
        {
            "key": key,
            "label": label,
            "url": _url_with(params, sort=key),
            "active": key == result.sort,
        }
        for key, label in SORTS.items()
        if key != "relevance" or result.terms
    ]
    rows = [{"case": case, "highlight": result.highlights.get(case.pk)} for case in result.cases]
    context = {
        "page": index,
        "self": index,
        "result": result,
        "rows": rows,
        "facet_groups": facet_groups,
        "sorts": sorts,
        "scenario_labels": dict(ScenarioType.choices),
        "clear_url": _url_with({}),
        "prev_url": _url_with(params, page=str(result.page.previous_page_number()))
        if result.page.has_previous()
        else "",
        "next_url": _url_with(params, page=str(result.page.next_page_number()))
        if result.page.has_next()
        else "",
        "punctuation_only": bool(result.query) and not result.terms,
    }
    return TemplateResponse(request, "casebank/case_index_page.html", context)


def used_in(case: CasePage, request) -> list[dict]:
    """Live pages (lessons, courses) that reference this case, from Wagtail's reference index.

    Reading the index keeps casebank free of any import of the courses app. Cached until a page
    or a site changes (``casebank.dashboard.pages_version``), for ``GA_SITE_CACHE_SECONDS``.
    """
    timeout = settings.GA_SITE_CACHE_SECONDS
    if not timeout:
        return _used_in(case, request)
    key = f"casebank:used_in:{pages_version()}:{request.get_host()}:{case.pk}"
    found = cache.get(key)
    if found is None:
        found = _used_in(case, request)
        cache.set(key, found, timeout)
    return found


def _used_in(case: CasePage, request) -> list[dict]:
    source_ids = (
        ReferenceIndex.get_references_to(case)
        .filter(base_content_type=ReferenceIndex._get_base_content_type(Page))
        .exclude(content_type__app_label="casebank")
        .values_list("object_id", flat=True)
    )
    pages = list(
        Page.objects.live()
        .filter(pk__in=[int(i) for i in set(source_ids) if str(i).isdigit()])
        .exclude(pk=case.pk)
        .order_by("path")
    )
    parent_paths = {p.path[: -Page.steplen] for p in pages}
    parents = {p.path: p for p in Page.objects.filter(path__in=parent_paths)}
    return [
        {"page": p, "url": p.get_url(request), "parent": parents.get(p.path[: -Page.steplen])}
        for p in pages
    ]


def case_page_context(request, case: CasePage) -> dict:
    user = request.user
    related_ids = [link.related_id for link in case.related_links.all()]
    related = list(CasePage.objects.live().filter(pk__in=related_ids).only("title", "url_path"))
    sessions = getattr(case, "sharing_sessions", None)
    # One query for both: how many marked it useful, and whether the viewer did.
    marks = UsefulMark.objects.filter(case=case).aggregate(
        n=Count("pk"), mine=Count("pk", filter=Q(user_id=user.pk or 0))
    )
    return {
        "useful_count": marks["n"],
        "marked_useful": user.is_authenticated and marks["mine"] > 0,
        "law_references": list(case.law_references.select_related("law")),
        "attachments": list(case.attachments.select_related("document")),
        "related_cases": related,
        "used_in": used_in(case, request),
        "sharing_sessions": list(sessions.all()[:20]) if sessions is not None else [],
        "scenario_label": case.get_scenario_type_display(),
        "authors": list(case.authors.all()),
        "acceptance": getattr(case, "acceptance", None) if _has_acceptance(case) else None,
    }


def _has_acceptance(case: CasePage) -> bool:
    try:
        case.acceptance  # noqa: B018 - touching the reverse one-to-one loads it
    except CasePage.acceptance.RelatedObjectDoesNotExist:
        return False
    return True


@login_required
@require_POST
def useful(request, pk: int):
    """Mark (or unmark) a live case 有用; one mark per person."""
    case = get_object_or_404(CasePage.objects.live(), pk=pk)
    try:
        if request.POST.get("action") == "unmark":
            unmark_useful(case, acting_user=request.user)
            messages.success(request, _("Your 有用 mark was removed."))
        elif mark_useful(case, acting_user=request.user):
            messages.success(request, _("Marked as useful. Thank you!"))
        else:
            messages.info(request, _("You have already marked this case as useful."))
    except PermissionDenied as exc:
        raise Http404 from exc
    return redirect(case.get_url(request) or "/")


@login_required
def submit_draft(request):
    """投稿: a short mobile form; the case lands as a draft for trainers, never published."""
    if CaseIndexPage.objects.first() is None:
        raise Http404
    form = CaseDraftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submit_case_draft(form.to_input(), acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Thank you! Your case was saved as a draft; a trainer will review and edit it."),
            )
            return redirect("casebank:submit_done")
    return TemplateResponse(request, "casebank/submit_draft.html", {"form": form})


@login_required
def submit_done(request):
    return TemplateResponse(request, "casebank/submit_done.html", {})
