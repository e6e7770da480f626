"""Site structure cached across requests (GA_SITE_CACHE_SECONDS, on in production, off in the
other tests): Wagtail's site for the host and the header links are not looked up on every page,
and any page or site change shows at once."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from courses import services
from courses.factories import CourseIndexPageFactory, CoursePageFactory, LessonPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached():
    cache.clear()
    with override_settings(GA_SITE_CACHE_SECONDS=60):
        yield
    cache.clear()


def _tables(ctx) -> str:
    return " ".join(q["sql"] for q in ctx.captured_queries)


def _nav(response) -> dict:
    return {link.label: link.url for link in response.context["nav_links"]}


def test_pages_skip_the_site_and_header_lookups(cached, client_for, learner, site):
    index = CourseIndexPageFactory(parent=site, slug="learn")
    course = CoursePageFactory(parent=index, code="CACHE-101")
    lesson = LessonPageFactory(parent=course, title="第一课")
    services.enrol(learner, course, acting_user=learner)
    client = client_for(learner)
    for url in (index.url, course.url, lesson.url):
        assert client.get(url).status_code == 200  # fills the caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        assert "wagtailcore_site" not in _tables(ctx)
        assert _nav(response)["课程"] == "/learn/"


def test_a_moved_or_unpublished_catalogue_shows_at_once(cached, client_for, learner, site):
    index = CourseIndexPageFactory(parent=site, slug="learn")
    client = client_for(learner)
    assert _nav(client.get("/"))["课程"] == "/learn/"
    index.slug = "courses-new"
    index.save_revision().publish()
    assert _nav(client.get("/"))["课程"] == "/courses-new/"
    index.unpublish()
    assert _nav(client.get("/"))["课程"] == "/courses/"


def test_a_changed_site_shows_at_once(cached, client_for, learner, site):
    from wagtail.models import Site

    index = CourseIndexPageFactory(parent=site, slug="learn")
    client = client_for(learner)
    assert client.get(index.url).status_code == 200
    Site.objects.update(root_page=index)  # no signal: the timeout is the only bound
    record = Site.objects.get()
    record.save()  # a save in the admin clears the cache
    assert client.get("/").context["page"].pk == index.pk
