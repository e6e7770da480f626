from django.utils.translation import gettext as _

from .models import CaseIndexPage


def nav_links(request) -> list[dict]:
    if not request.user.is_authenticated:
        return []
    index = CaseIndexPage.objects.live().only("url_path").first()
    if index is None:
        return []
    return [{"label": _("Case library"), "url": index.get_url(request) or "/cases/", "order": 30}]
