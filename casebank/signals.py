"""Keep the Chinese search index in step with what is live."""

from wagtail.signals import page_published, page_unpublished

from .models import CasePage
from .search import index_case, remove_case


def _reindex(sender, instance, **kwargs):
    page = CasePage.objects.select_related("origin_org_unit").get(pk=instance.pk)
    index_case(page)


def _remove(sender, instance, **kwargs):
    remove_case(instance.pk)


def connect() -> None:
    page_published.connect(_reindex, sender=CasePage, dispatch_uid="casebank_index")
    page_unpublished.connect(_remove, sender=CasePage, dispatch_uid="casebank_unindex")
