import uuid

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .models import CaseIndexPage

# The case library's URL is in the header of every page: cached, and forgotten whenever a page or
# a site changes (rare editor actions). GA_SITE_CACHE_SECONDS bounds how long another process's cache may
# keep an outdated link when the cache is per process (locmem). "" means no live library.
LIBRARY_URL_KEY = "casebank:library_url"


def _library_url() -> str:
    url = cache.get(LIBRARY_URL_KEY)
    if url is None:
        index = CaseIndexPage.objects.live().only("url_path").first()
        url = "" if index is None else (index.url or "/cases/")
        cache.set(LIBRARY_URL_KEY, url, settings.GA_SITE_CACHE_SECONDS)
    return url


def nav_links(request) -> list[dict]:
    if not request.user.is_authenticated:
        return []
    url = _library_url()
    if not url:
        return []
    return [{"label": _("Case library"), "url": url, "order": 30}]


@receiver(post_save, dispatch_uid="casebank_library_url_save")
@receiver(post_delete, dispatch_uid="casebank_library_url_delete")
@receiver(page_published, dispatch_uid="casebank_library_url_published")
@receiver(page_unpublished, dispatch_uid="casebank_library_url_unpublished")
@receiver(post_page_move, dispatch_uid="casebank_library_url_moved")
def _forget_library_url(sender, instance=None, **kwargs) -> None:
    if isinstance(instance, Page | Site):
        cache.delete_many([LIBRARY_URL_KEY, PAGES_VERSION_KEY])


# Cached facts that depend on other pages (where a case is used) carry this token in their keys:
# a page or site change drops it, so they are computed again.
PAGES_VERSION_KEY = "casebank:pages_version"


def pages_version() -> str:
    version = cache.get(PAGES_VERSION_KEY)
    if version is None:
        cache.add(PAGES_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(PAGES_VERSION_KEY) or ""
    return version
