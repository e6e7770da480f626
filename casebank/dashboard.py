from django.utils.translation import gettext as _

from lms.dashboard import NavLink

from .models import CaseIndexPage


def nav_links(request) -> list[NavLink]:
    if not request.user.is_authenticated:
        return []
    index = CaseIndexPage.objects.live().only("url_path").first()
    if index is None:
        return []
    return [NavLink(label=_("Case library"), url=index.get_url(request) or "/cases/", order=30)]
