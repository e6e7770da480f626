import datetime as dt

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from certification.hr import records
from people.roles import HR

from .conftest import body

pytestmark = pytest.mark.django_db


def test_hr_of_street_a_sees_only_street_a(client_for, hr_street_a, worker_a, worker_b, certified):
    response = client_for(hr_street_a).get(reverse("hr_records"))
    assert response.status_code == 200
    html = body(response)
    assert worker_a.employee_no in html and worker_a.name in html
    assert worker_b.employee_no not in html and worker_b.name not in html
    # Mobile numbers are masked in the list.
    assert "139****5678" in html and "13912345678" not in html


def test_hr_of_street_b_sees_only_street_b(client_for, hr_street_b, worker_a, worker_b):
    html = body(client_for(hr_street_b).get(reverse("hr_records")))
    assert worker_b.employee_no in html and worker_a.employee_no not in html


def test_learner_and_trainer_cannot_open_records(client_for, learner, trainer):
    for user in (learner, trainer):
        response = client_for(user).get(reverse("hr_records"))
        assert response.status_code in (302, 403)
        assert "A0001" not in body(response)


def test_list_query_count_is_constant(
    client_for, hr_street_a, worker_a, make_workers, certified, django_assert_max_num_queries
):
    client = client_for(hr_street_a)
    make_workers(3)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("hr_records")).status_code == 200
    make_workers(30)
    with django_assert_max_num_queries(25):
        html = body(client.get(reverse("hr_records")))
    assert html.count("/admin/hr/records/") >= 30


def test_filters(client_for, hr_street_a, org, worker_a, make_workers, certified):
    other = make_workers(1, unit=org.grid_a2, user__name="王桂园")[0]
    client = client_for(hr_street_a)

    def names(**params):
        return body(client.get(reverse("hr_records"), params))

    html = names(org_unit=org.community_a2.pk)
    assert "王桂园" in html and worker_a.name not in html
    html = names(status="valid")
    assert worker_a.name in html and "王桂园" not in html
    html = names(status="none")
    assert "王桂园" in html and worker_a.name not in html
    html = names(level="C1")
    assert worker_a.name in html and "王桂园" not in html
    html = names(q="桂园")
    assert "王桂园" in html and worker_a.name not in html
    html = names(q=other.employee_no)
    assert "王桂园" in html and worker_a.name not in html
    # 街道B's unit is not a choice for HR of 街道A: the filter is refused, nothing of B shows.
    html = names(org_unit=org.community_b1.pk)
    assert "B0001" not in html


def test_expiring_within_days(hr_street_a, worker_a, certified):
    cert_a, _b = certified
    expires = cert_a.expires_on
    qs = records.records_for(hr_street_a, on=expires - dt.timedelta(days=20))
    assert list(records.filter_expiring(qs, 30, on=expires - dt.timedelta(days=20))) == [worker_a]
    assert not records.filter_expiring(qs, 10, on=expires - dt.timedelta(days=20)).exists()


def test_eligibility_filter(hr_street_a, district_admin, org, worker_a, make_workers):
    from certification.services import create_grade_review

    make_workers(2)
    create_grade_review(org.street_a, dt.date.today(), acting_user=district_admin)
    qs = records.records_for(hr_street_a)
    eligible = set(records.filter_eligibility(qs, "eligible"))
    blocked = set(records.filter_eligibility(qs, "blocked"))
    assert eligible | blocked == set(qs) and not eligible & blocked
    assert not records.filter_eligibility(qs, "none").exists()


def test_detail_in_and_out_of_jurisdiction(client_for, hr_street_a, worker_a, worker_b, certified):
    client = client_for(hr_street_a)
    response = client.get(reverse("hr_record", args=[worker_a.pk]))
    assert response.status_code == 200
    html = body(response)
    assert certified[0].number in html and "110101********1234" in html
    assert "110101199003071234" not in html
    # A guessed id of 街道B's worker, and ids that do not exist, answer 404.
    assert client.get(reverse("hr_record", args=[worker_b.pk])).status_code == 404
    assert client.get(reverse("hr_record", args=[999999])).status_code == 404


def test_unmasking_needs_permission_and_is_audited(client_for, hr_street_a, worker_a, grant):
    client = client_for(hr_street_a)
    url = reverse("hr_record", args=[worker_a.pk])
    response = client.post(url, {"reason": "核对社保"})
    assert response.status_code in (302, 403)
    assert not ModelLogEntry.objects.filter(action="people.personal_data_revealed").exists()
    grant(hr_street_a, "people.unmask_personal_data")
    response = client.post(url, {"reason": "核对社保"})
    html = body(response)
    assert "13912345678" in html and "110101199003071234" in html
    entry = ModelLogEntry.objects.get(action="people.personal_data_revealed")
    assert entry.user_id == hr_street_a.pk and entry.data["reason"] == "核对社保"
    # Per request: the next plain view is masked again.
    assert "13912345678" not in body(client.get(url))


def test_unmasking_out_of_jurisdiction_is_404(client_for, hr_street_a, worker_b, grant):
    grant(hr_street_a, "people.unmask_personal_data")
    response = client_for(hr_street_a).post(reverse("hr_record", args=[worker_b.pk]), {})
    assert response.status_code == 404


def test_district_hr_sees_both_streets(client_for, hr_district, worker_a, worker_b):
    html = body(client_for(hr_district).get(reverse("hr_records")))
    assert worker_a.employee_no in html and worker_b.employee_no in html


def test_staff_without_jurisdiction_sees_nothing(db, worker_a):
    from people.factories import UserFactory

    hr = UserFactory(username="hr-nowhere", roles=[HR])
    assert not records.can_view_records(hr)
    assert not records.records_for(hr).exists()


def test_filtered_results_fragment_is_scoped(client_for, hr_street_a, worker_a, worker_b):
    response = client_for(hr_street_a).get(reverse("hr_records_results"), {"q": "0001"})
    html = body(response)
    assert response.status_code == 200
    assert worker_a.employee_no in html and worker_b.employee_no not in html
