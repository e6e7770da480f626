"""The site itself: a HomePage at the root of the default Wagtail site."""

from django.conf import settings
from wagtail.models import Page, Site

from .models import HomePage


def seed(stdout=None) -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        if root is None:  # a flushed database (transactional tests) has no tree at all
            root = Page.add_root(instance=Page(title="Root", slug="root"))
        # Wagtail's initial migration creates a placeholder "Welcome" page; replace it.
        for child in root.get_children():
            if child.specific_class is Page:
                child.delete()
        home = root.add_child(instance=HomePage(title=settings.WAGTAIL_SITE_NAME, slug="home"))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=settings.WAGTAIL_SITE_NAME,
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = settings.WAGTAIL_SITE_NAME
        site.save()
    return home
