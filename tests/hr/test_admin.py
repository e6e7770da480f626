import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from wagtail.models import ModelLogEntry

from certification.hr.models import ApiToken
from certification.hr.tokens import hash_key
from people.factories import UserFactory
from people.roles import DISTRICT_ADMIN

from .conftest import body

pytestmark = pytest.mark.django_db


# --- dashboards -------------------------------------------------------------------------------


def test_dashboard_shows_only_the_jurisdiction(
    client_for, hr_street_a, worker_a, worker_b, certified, django_assert_max_num_queries
):
    client = client_for(hr_street_a)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("hr_dashboard"))
    html = body(response)
    assert response.status_code == 200
    assert "柳岸社区" in html and "枫林" not in html
    assert html.count("<svg") >= 4 and "cdn" not in html.lower()
    # Coverage: the one worker of 街道A holds a valid certificate → 100%.
    assert "100.0%" in html
    for key in ("coverage", "expiring", "cpd", "eligibility", "exams", "simulations"):
        assert f'data-testid="figure-{key}"' in html


def test_dashboard_numbers_count_only_own_people(hr_street_a, worker_a, worker_b, certified):
    from certification.hr import charts

    figures = {f.key: f for f in charts.dashboard(hr_street_a)}
    assert sum(r[1] for r in figures["cpd"].rows) == 1
    assert sum(r[1] for r in figures["eligibility"].rows) == 1
    expiring = sum(r[1] for r in figures["expiring"].rows)
    assert expiring <= 1


def test_learner_cannot_see_dashboard(client_for, learner):
    assert client_for(learner).get(reverse("hr_dashboard")).status_code in (302, 403)


def test_chart_labels_are_escaped():
    from certification.hr.charts import bar_chart

    svg = bar_chart([("<script>", 3)], title="t")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


# --- API tokens ---------------------------------------------------------------------------------


def test_district_admin_creates_token_shown_once(client_for, district_admin, org):
    client = client_for(district_admin)
    response = client.post(reverse("hr_tokens"), {"name": "区人社局", "org_unit": org.street_a.pk})
    html = body(response)
    token = ApiToken.objects.get()
    key = html.split("Authorization: Bearer ")[1].split("<")[0].strip()
    assert token.key_hash == hash_key(key) and token.org_unit == org.street_a
    assert key not in body(client.get(reverse("hr_tokens")))
    assert ModelLogEntry.objects.filter(action="hr.token_created").exists()
    client.post(reverse("hr_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ModelLogEntry.objects.filter(action="hr.token_revoked").exists()


def test_hr_cannot_manage_tokens(client_for, hr_street_a, org):
    client = client_for(hr_street_a)
    assert client.get(reverse("hr_tokens")).status_code in (302, 403)
    client.post(reverse("hr_tokens"), {"name": "x", "org_unit": org.street_a.pk})
    assert not ApiToken.objects.exists()


def test_token_cannot_be_bound_outside_jurisdiction(client_for, org):
    admin_b = UserFactory(username="admin-b", roles=[DISTRICT_ADMIN], jurisdiction=org.street_b)
    client_for(admin_b).post(reverse("hr_tokens"), {"name": "x", "org_unit": org.street_a.pk})
    assert not ApiToken.objects.exists()


def test_cannot_revoke_a_token_outside_jurisdiction(client_for, org, token_a):
    admin_b = UserFactory(username="admin-b", roles=[DISTRICT_ADMIN], jurisdiction=org.street_b)
    token = ApiToken.objects.get()
    assert client_for(admin_b).post(reverse("hr_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- audit viewer -------------------------------------------------------------------------------


def test_audit_viewer_lists_exports_and_filters(client_for, district_admin, hr_street_a, worker_a):
    client_for(hr_street_a).get(reverse("hr_records"), {"export": "csv"})
    client = client_for(district_admin)
    html = body(client.get(reverse("hr_audit")))
    assert "许文静" in html
    html = body(client.get(reverse("hr_audit"), {"action": "hr.exported", "person": "许文静"}))
    assert "row_count: 1" in html
    html = body(client.get(reverse("hr_audit"), {"person": "nobody-here"}))
    assert "row_count" not in html
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    html = body(client.get(reverse("hr_audit"), {"date_from": tomorrow.isoformat()}))
    assert "row_count" not in html
    # Read-only: no edit or delete links for entries.
    assert "/delete/" not in html.split("listing")[-1]


def test_audit_viewer_is_for_district_admins_within_their_subtree(
    client_for, hr_street_a, worker_a, org
):
    client_for(hr_street_a).get(reverse("hr_records"), {"export": "csv"})
    assert client_for(hr_street_a).get(reverse("hr_audit")).status_code in (302, 403)
    admin_b = UserFactory(username="admin-b", roles=[DISTRICT_ADMIN], jurisdiction=org.street_b)
    html = body(client_for(admin_b).get(reverse("hr_audit")))
    assert "row_count" not in html and "许文静" not in html


def test_recent_audit_entries_cannot_be_deleted(client_for, hr_street_a, worker_a):
    client_for(hr_street_a).get(reverse("hr_records"), {"export": "csv"})
    entry = ModelLogEntry.objects.get(action="hr.exported")
    with pytest.raises(PermissionDenied), transaction.atomic():
        entry.delete()
    with pytest.raises(PermissionDenied), transaction.atomic():
        ModelLogEntry.objects.all().delete()
    assert ModelLogEntry.objects.filter(pk=entry.pk).exists()


# --- menu and navigation ------------------------------------------------------------------------


def test_hr_menu_and_header_link(client_for, hr_street_a, learner, site):
    html = body(client_for(hr_street_a).get("/"))
    assert reverse("hr_records") in html
    html = body(client_for(learner).get("/"))
    assert reverse("hr_records") not in html
