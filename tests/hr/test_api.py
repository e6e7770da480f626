import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from certification.hr.models import ApiToken, FeedEvent
from certification.hr.tokens import hash_key
from certification.services import issue_certificate, revoke_certificate
from people.services import change_grade

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_token_lists_only_its_subtree(client, token_a, worker_a, worker_b, certified):
    data = client.get("/api/v1/workers/", **bearer(token_a)).json()
    assert [w["employee_no"] for w in data["results"]] == [worker_a.employee_no]
    w = data["results"][0]
    assert w["mobile"] == "139****5678" and w["id_number"] == "110101********1234"
    assert w["certification_level"] == "C1" and w["certificate_status"] == "valid"
    certs = client.get("/api/v1/certificates/", **bearer(token_a)).json()["results"]
    assert [c["number"] for c in certs] == [certified[0].number]
    events = client.get("/api/v1/certification-events/", **bearer(token_a)).json()["results"]
    assert events and {e["worker"] for e in events} == {worker_a.pk}


def test_guessed_ids_outside_the_subtree_are_404(client, token_a, worker_a, worker_b, certified):
    h = bearer(token_a)
    assert client.get(f"/api/v1/workers/{worker_a.pk}/", **h).status_code == 200
    assert client.get(f"/api/v1/workers/{worker_b.pk}/", **h).status_code == 404
    assert client.get(f"/api/v1/certificates/{certified[1].pk}/", **h).status_code == 404
    assert client.get(f"/api/v1/certificates/{certified[0].pk}/", **h).status_code == 200
    event_b = FeedEvent.objects.get(worker=worker_b)
    assert client.get(f"/api/v1/certification-events/{event_b.pk}/", **h).status_code == 404
    assert client.get("/api/v1/workers/99999/", **h).status_code == 404
    assert client.get("/api/v1/workers/abc/", **h).status_code == 404


def test_session_of_hr_user_is_scoped(client_for, hr_street_a, worker_a, worker_b, certified):
    client = client_for(hr_street_a)
    data = client.get("/api/v1/workers/").json()
    assert {w["employee_no"] for w in data["results"]} == {worker_a.employee_no}
    assert client.get(f"/api/v1/workers/{worker_b.pk}/").status_code == 404
    events = client.get("/api/v1/certification-events/").json()["results"]
    assert {e["worker"] for e in events} == {worker_a.pk}
    certs = client.get("/api/v1/certificates/").json()["results"]
    assert {c["worker"] for c in certs} == {worker_a.pk}


def test_learner_and_anonymous_are_refused(client_for, learner, worker_a):
    assert client_for(learner).get("/api/v1/workers/").status_code == 403
    assert client_for(None).get("/api/v1/workers/").status_code in (401, 403)


def test_bad_and_revoked_tokens_are_refused(client, token_a, district_admin, worker_a):
    assert client.get("/api/v1/workers/", **bearer("ga_nope")).status_code == 401
    assert client.get("/api/v1/workers/", **bearer(token_a)).status_code == 200
    from certification.hr.tokens import revoke_token

    revoke_token(ApiToken.objects.get(key_hash=hash_key(token_a)), acting_user=district_admin)
    assert client.get("/api/v1/workers/", **bearer(token_a)).status_code == 401


def test_only_the_hash_is_stored(token_a):
    token = ApiToken.objects.get()
    assert token.key_hash == hash_key(token_a) and token_a not in str(token.__dict__)


def test_certificate_filters(client, token_a, org, worker_a, level_c1, certified, district_admin):
    h = bearer(token_a)
    url = "/api/v1/certificates/"
    assert len(client.get(url, {"status": "valid"}, **h).json()["results"]) == 1
    assert client.get(url, {"status": "expired"}, **h).json()["results"] == []
    assert len(client.get(url, {"level": "C1"}, **h).json()["results"]) == 1
    assert client.get(url, {"level": "C2"}, **h).json()["results"] == []
    assert len(client.get(url, {"org_unit": org.community_a1.code}, **h).json()["results"]) == 1
    assert client.get(url, {"org_unit": org.community_a2.code}, **h).json()["results"] == []
    # 街道B's unit is unknown to this token.
    assert client.get(url, {"org_unit": org.community_b1.code}, **h).status_code == 400
    assert client.get(url, {"status": "weird"}, **h).status_code == 400
    assert client.get(url, {"updated_since": "yesterday"}, **h).status_code == 400
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    assert client.get(url, {"updated_since": later}, **h).json()["results"] == []
    revoke_certificate(certified[0], reason="材料不实", acting_user=district_admin)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    results = client.get(url, {"updated_since": since.isoformat()}, **h).json()["results"]
    assert [c["status"] for c in results] == ["revoked"]


def test_event_feed_replays_each_event_exactly_once(
    client, token_a, org, worker_a, worker_b, make_workers, level_c1, district_admin
):
    workers = make_workers(5)
    for w in workers[:3]:
        issue_certificate(w, level_c1, acting_user=None, on=dt.date(2025, 3, 1))
    issue_certificate(worker_b, level_c1, acting_user=None, on=dt.date(2025, 3, 1))
    h = bearer(token_a)
    seen = []
    url = "/api/v1/certification-events/?page_size=2"
    page = client.get(url, **h).json()
    seen += [e["id"] for e in page["results"]]
    # Events arrive between pages: issued, revoked, grade changed.
    issue_certificate(workers[3], level_c1, acting_user=None, on=dt.date(2025, 4, 1))
    cert = issue_certificate(workers[4], level_c1, acting_user=None, on=dt.date(2025, 4, 1))[0]
    revoke_certificate(cert, reason="违规", acting_user=district_admin)
    change_grade(
        worker_a, grade=4, effective_date=dt.date(2026, 1, 1), reason="调级", acting_user=None
    )
    while page["next"]:
        page = client.get(page["next"], **h).json()
        seen += [e["id"] for e in page["results"]]
    expected = list(
        FeedEvent.objects.filter(worker__org_unit__path__startswith=org.street_a.path)
        .order_by("id")
        .values_list("id", flat=True)
    )
    assert seen == expected and len(seen) == len(set(seen))
    kinds = set(FeedEvent.objects.filter(id__in=seen).values_list("kind", flat=True))
    assert kinds == {"issued", "revoked", "grade_changed"}
    assert not FeedEvent.objects.filter(id__in=seen, worker=worker_b).exists()
    # Keeping the last cursor and coming back later gives only what is new.
    last = page
    issue_certificate(workers[0], level_c1, acting_user=None, on=dt.date(2028, 3, 1))
    new_events = client.get(url, **h).json()
    assert new_events["results"][0]["id"] == seen[0]
    assert last["next"] is None


def test_fresh_events_are_held_back_while_they_settle(
    client, token_a, worker_a, level_c1, settings
):
    settings.GA_HR_FEED_SETTLE_SECONDS = 60
    issue_certificate(worker_a, level_c1, acting_user=None, on=dt.date(2025, 3, 1))
    assert client.get("/api/v1/certification-events/", **bearer(token_a)).json()["results"] == []


def test_list_query_count_is_constant(client, token_a, make_workers, django_assert_max_num_queries):
    make_workers(3)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/workers/", **bearer(token_a)).status_code == 200
    make_workers(30)
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/workers/", **bearer(token_a)).json()["results"]) == 33


def test_throttling(client, token_a, settings, worker_a):
    settings.GA_HR_API_RATE = "3/min"
    codes = [client.get("/api/v1/workers/", **bearer(token_a)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_schema_and_docs_without_cdn(client):
    schema = client.get("/api/v1/schema/").content.decode()
    for path in ("/api/v1/workers/", "/api/v1/certificates/", "/api/v1/certification-events/"):
        assert path in schema
    response = client.get(reverse("hr-api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/certification-events/" in html and "updated_since" in html
    assert "cdn" not in html.lower() and 'src="http' not in html
