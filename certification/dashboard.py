"""The learner home panel (what I hold, what I need next) and header links."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from people.models import WorkerProfile

from . import access
from .models import Notification
from .progress import progress_for
from .services import can_manage_certificates


def panels(request) -> list[dict]:
    user = request.user
    worker = WorkerProfile.objects.filter(user=user).first()
    if worker is None:
        return []
    certificates = list(access.own_certificates(user))
    notices = list(Notification.objects.filter(user=user, read_at__isnull=True)[:5])
    return [
        {
            "template": "certification/panel.html",
            "context": {"progress": progress_for(worker, certificates), "notices": notices},
            "order": 50,
        }
    ]


def nav_links(request) -> list[dict]:
    user = request.user
    links = [
        {
            "label": _("Verify a certificate"),
            "url": reverse("certification:verify_form"),
            "order": 90,
        }
    ]
    if getattr(user, "is_authenticated", False):
        if WorkerProfile.objects.filter(user=user).exists():
            links.append(
                {
                    "label": _("My certificates"),
                    "url": reverse("certification:my_certificates"),
                    "order": 50,
                }
            )
        if can_manage_certificates(user):
            links.append(
                {"label": _("Certificates"), "url": reverse("certification:manage"), "order": 80}
            )
    return links
