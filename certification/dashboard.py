"""The learner home panel (what I hold, what I need next) and header links."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from lms.dashboard import NavLink, Panel
from people.models import WorkerProfile

from . import access
from .models import Notification
from .progress import progress_for
from .services import can_manage_certificates


def panels(request) -> list[Panel]:
    user = request.user
    worker = WorkerProfile.objects.filter(user=user).first()
    if worker is None:
        return []
    certificates = list(access.own_certificates(user))
    notices = list(Notification.objects.filter(user=user, read_at__isnull=True)[:5])
    return [
        Panel(
            template="certification/panel.html",
            context={"progress": progress_for(worker, certificates), "notices": notices},
            order=50,
        )
    ]


def nav_links(request) -> list[NavLink]:
    user = request.user
    links = [NavLink(_("Verify a certificate"), reverse("certification:verify_form"), order=90)]
    if getattr(user, "is_authenticated", False):
        if WorkerProfile.objects.filter(user=user).exists():
            links.append(
                NavLink(_("My certificates"), reverse("certification:my_certificates"), 50)
            )
        if can_manage_certificates(user):
            links.append(NavLink(_("Certificates"), reverse("certification:manage"), 80))
    return links
