"""Learner, public and district-admin pages of the certification app."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from people import ratelimit
from people.access import org_units_visible_to
from people.masking import mask_name
from people.models import WorkerProfile

from . import access, ladder, services
from .forms import DecideForm, ReviewForm, RevokeForm, ValidOnForm, VerifyForm
from .models import Certificate, CertificateStatus, Notification
from .pdf import render_certificate, verification_url
from .progress import progress_for

STATUS_BADGE = {
    CertificateStatus.VALID: "ok",
    CertificateStatus.EXPIRED: "warn",
    CertificateStatus.REVOKED: "bad",
    CertificateStatus.SUPERSEDED: "",
}


def _worker_or_none(user):
    return WorkerProfile.objects.select_related("org_unit").filter(user=user).first()


@login_required
def my_certificates(request):
    certificates = list(access.own_certificates(request.user).order_by("-issued_on", "-id"))
    today = timezone.localdate()
    rows = [
        {"c": c, "status": c.status_on(today), "badge": STATUS_BADGE[c.status_on(today)]}
        for c in certificates
    ]
    worker = _worker_or_none(request.user)
    progress = progress_for(worker, certificates, today) if worker else None
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return render(
        request,
        "certification/my_certificates.html",
        {"rows": rows, "progress": progress, "worker": worker},
    )


@login_required
def certificate_pdf(request, pk: int):
    certificate = access.get_own_certificate(request.user, pk)
    response = HttpResponse(render_certificate(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _rate_limited(request) -> bool:
    """Fixed window per client address (``people.ratelimit``: cache-backed, proxy-aware)."""
    limit, seconds = settings.GA_VERIFY_RATE_LIMIT
    return not ratelimit.hit("verify", ratelimit.client_ip(request), limit=limit, window=seconds)


def _too_many(request):
    return render(request, "certification/verify_limited.html", status=429)


def verify_form(request):
    if "code" in request.GET:
        form = VerifyForm(request.GET)
        if form.is_valid():
            code = services.normalise_code(form.cleaned_data["code"])
            if code:
                return redirect("certification:verify", code=code)
            form.add_error("code", _("Enter the code printed on the certificate."))
    else:
        form = VerifyForm()
    return render(request, "certification/verify_form.html", {"form": form})


def verify(request, code: str):
    if _rate_limited(request):
        return _too_many(request)
    normalised = services.normalise_code(code)
    certificate = (
        Certificate.objects.select_related("level", "superseded_by")
        .filter(verification_code=normalised)
        .first()
    )
    if certificate is None:
        return render(request, "certification/verify_unknown.html", {"code": code[:40]}, status=404)
    status = certificate.status
    return render(
        request,
        "certification/verify.html",
        {
            "c": certificate,
            "status": status,
            "status_label": CertificateStatus(status).label,
            "badge": STATUS_BADGE[status],
            "masked_name": mask_name(certificate.holder_name),
        },
    )


# --- district admin -----------------------------------------------------------------------------


def _require_manager(request):
    if not request.user.is_authenticated:
        raise Http404
    if not services.can_manage_certificates(request.user):
        raise Http404


@login_required
def manage_certificates(request):
    _require_manager(request)
    qs = access.certificates_managed_by(request.user).order_by("-issued_on", "-id")
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q) | Q(holder_name__icontains=q) | Q(worker__employee_no__iexact=q)
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [{"c": c, "status": c.status_on(today)} for c in page.object_list]
    for row in rows:
        row["badge"] = STATUS_BADGE[row["status"]]
        row["label"] = CertificateStatus(row["status"]).label
    return render(request, "certification/manage.html", {"rows": rows, "page": page, "q": q})


@login_required
def certificate_detail(request, pk: int):
    _require_manager(request)
    certificate = access.get_managed_certificate(request.user, pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_certificate(
                certificate, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Certificate %(n)s revoked.") % {"n": certificate.number})
            return redirect("certification:certificate_detail", pk=certificate.pk)
    valid_on = ValidOnForm(request.GET if "on" in request.GET else None)
    answer = None
    if valid_on.is_valid():
        answer = certificate.valid_on(valid_on.cleaned_data["on"])
    return render(
        request,
        "certification/certificate_detail.html",
        {
            "valid_on": valid_on,
            "answer": answer,
            "c": certificate,
            "events": certificate.events.select_related("by"),
            "form": form,
            "status_label": CertificateStatus(certificate.status).label,
            "verify_url": verification_url(certificate),
        },
    )


@login_required
def reviews(request):
    _require_manager(request)
    units = org_units_visible_to(request.user).filter(depth__lte=3)
    form = ReviewForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            summary = services.create_grade_review(
                form.cleaned_data["org_unit"],
                form.cleaned_data["review_date"],
                acting_user=request.user,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        messages.success(
            request,
            _("Review computed: %(e)s eligible, %(b)s not eligible.")
            % {"e": summary.eligible, "b": summary.blocked},
        )
        return redirect("certification:review", pk=summary.review.pk)
    listing = access.reviews_visible_to(request.user).annotate(
        n_items=Count("items"),
        n_pending=Count("items", filter=Q(items__decision="pending", items__eligible=True)),
    )
    return render(request, "certification/reviews.html", {"form": form, "reviews": listing})


@login_required
def review(request, pk: int):
    _require_manager(request)
    grade_review = access.get_review_for(request.user, pk)
    items = grade_review.items.select_related("worker__user", "worker__org_unit", "decided_by")
    shown = request.GET.get("show", "all")
    if shown == "eligible":
        items = items.filter(eligible=True)
    elif shown == "blocked":
        items = items.filter(eligible=False)
    pending_ids = list(grade_review.items.filter(decision="pending").values_list("pk", flat=True))
    form = DecideForm(request.POST or None, item_ids=pending_ids)
    if request.method == "POST":
        if form.is_valid():
            try:
                n = services.decide_review_items(
                    grade_review,
                    form.cleaned_data["items"],
                    approve=form.cleaned_data["action"] == "approve",
                    acting_user=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("%(n)s decision(s) recorded.") % {"n": n})
                return redirect(f"{reverse('certification:review', args=[pk])}?show={shown}")
        else:
            for errors in form.errors.values():
                messages.error(request, errors[0])
    return render(
        request,
        "certification/review.html",
        {"review": grade_review, "items": items, "shown": shown},
    )


@login_required
def my_grade(request):
    worker = _worker_or_none(request.user)
    if worker is None:
        raise Http404
    today = timezone.localdate()
    lr, _rule_set = ladder.active_rules()
    facts = ladder.ladder_facts_for([worker], today, lr)[worker.pk]
    result = ladder.eligibility(facts, lr, today)
    wage = ladder.current_wage(today)
    last_appraisal = worker.appraisals.order_by("-year").values_list("result", flat=True).first()
    estimate = None
    if wage is not None:
        estimate = ladder.pay_estimate(
            post=worker.post,
            grade=worker.grade,
            qualification=worker.sw_qualification,
            last_appraisal=last_appraisal or "competent",
            lr=lr,
            wage=wage.amount,
            wage_year=wage.year,
            wage_effective_from=wage.effective_from,
        )
    lo, hi = lr.post_ranges.get(worker.post, (1, 12))
    history = worker.grade_history.all()[:10]
    return render(
        request,
        "certification/my_grade.html",
        {
            "worker": worker,
            "result": result,
            "estimate": estimate,
            "wage": wage,
            "range": (lo, hi),
            "history": history,
            "today": today,
            "qual_mode": lr.qual_mode,
        },
    )
