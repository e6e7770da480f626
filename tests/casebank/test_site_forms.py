"""投稿 (worker submission) and 有用 marks on the site."""

import pytest
from django.urls import reverse

from casebank.models import CasePage, UsefulMark
from casebank.services import DraftInput, mark_useful, submit_case_draft


def _form(**extra):
    data = {
        "title": "「楼栋微信群」提前通知停水",
        "scenario_type": "service",
        "background": "临时停水没通知到位，居民投诉。",
        "steps": "每栋楼建群\n\n停水通知一小时内发群并张贴\n电话通知不用微信的老人",
        "outcome": "没有再接到投诉",
        "lessons": "",
    }
    data.update(extra)
    return data


def test_worker_submission_lands_as_a_draft(library, learner, client_for):
    client = client_for(learner)
    assert client.get(reverse("casebank:submit_draft")).status_code == 200
    response = client.post(reverse("casebank:submit_draft"), _form())
    assert response.status_code == 302
    case = CasePage.objects.get(title="「楼栋微信群」提前通知停水")
    assert not case.live
    assert case.has_unpublished_changes
    assert case.owner == learner
    assert list(case.authors.all()) == [learner]
    assert case.origin_org_unit == learner.worker.org_unit
    assert [s["action"] for s in case.step_list()] == [
        "每栋楼建群",
        "停水通知一小时内发群并张贴",
        "电话通知不用微信的老人",
    ]
    assert case.revisions.count() == 1
    # Not public: the library and the page's URL do not show it.
    assert case.title not in client.get("/cases/").content.decode()
    assert client.get(f"/cases/{case.slug}/").status_code == 404


def test_submission_form_errors_are_shown_and_nothing_is_saved(library, learner, client_for):
    response = client_for(learner).post(
        reverse("casebank:submit_draft"), _form(title="", steps="   \n  ", scenario_type="x")
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"title", "steps", "scenario_type"}
    assert not CasePage.objects.exists()


def test_anonymous_cannot_submit(library, client):
    response = client.post(reverse("casebank:submit_draft"), _form())
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not CasePage.objects.exists()


def test_submission_without_library_is_refused(site, learner):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        submit_case_draft(
            DraftInput(title="t", scenario_type="service", background="b", steps=["s"]),
            acting_user=learner,
        )


def test_useful_mark_once_per_person(make_case, learner, client_for):
    case = make_case()
    client = client_for(learner)
    url = reverse("casebank:useful", args=(case.pk,))
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    assert UsefulMark.objects.filter(case=case).count() == 1
    page = client.get(case.url)
    assert page.context["useful_count"] == 1
    assert page.context["marked_useful"] is True
    client.post(url, {"action": "unmark"})
    assert UsefulMark.objects.filter(case=case).count() == 0


def test_useful_needs_login_and_post(make_case, client, learner, client_for):
    case = make_case()
    url = reverse("casebank:useful", args=(case.pk,))
    assert client.post(url).status_code == 302
    assert not UsefulMark.objects.exists()
    assert client_for(learner).get(url).status_code == 405


def test_useful_on_a_draft_is_not_found(make_case, learner, client_for):
    draft = make_case(live=False)
    response = client_for(learner).post(reverse("casebank:useful", args=(draft.pk,)))
    assert response.status_code == 404
    assert not UsefulMark.objects.exists()


def test_mark_useful_service_reports_duplicates(make_case, learner):
    case = make_case()
    assert mark_useful(case, acting_user=learner) is True
    assert mark_useful(case, acting_user=learner) is False
