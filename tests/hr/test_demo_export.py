"""An export of the demo data matches the database row for row; the demo is idempotent."""

import csv
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from certification.hr import demo as hr_demo
from certification.hr.models import ApiToken
from certification.models import Certificate
from people import demo as people_demo
from people.models import User, WorkerProfile

from .conftest import body

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    people_demo.seed()
    hr_demo.seed()
    return User.objects.get(username="demo-hr")


def test_export_of_demo_data_matches_the_database(demo, client):
    client.force_login(demo)
    rows = list(csv.reader(io.StringIO(body(client.get("/admin/hr/records/", {"export": "csv"})))))
    header, data = rows[0], rows[1:]
    workers = list(
        WorkerProfile.objects.in_subtree(demo.jurisdiction)
        .select_related("user")
        .order_by("employee_no")
    )
    assert len(data) == len(workers) > 20
    for row, worker in zip(data, workers, strict=True):
        assert row[0] == worker.employee_no and row[1] == worker.user.name
        assert row[6] == str(worker.grade)
        cert = (
            Certificate.objects.filter(worker=worker, revoked_on=None, superseded_on=None)
            .order_by("-level__rank")
            .first()
        )
        assert row[10] == (cert.number if cert else "")
        assert row[12] == (cert.expires_on.isoformat() if cert and cert.expires_on else "")
    assert len(header) == len(data[0])


def test_demo_is_idempotent_and_prints_a_working_token(demo, client):
    counts = (Certificate.objects.count(), ApiToken.objects.count())
    out = io.StringIO()
    hr_demo.seed(stdout=out)
    assert (Certificate.objects.count(), ApiToken.objects.count()) == counts
    key = hr_demo.demo_key()
    assert key in out.getvalue()
    response = client.get("/api/v1/workers/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    codes = {w["org_unit"] for w in response.json()["results"]}
    assert codes and all(code.startswith("qc-lj-la") for code in codes)


def test_demo_refused_under_production_settings(db, settings):
    settings.GA_ALLOW_DEMO_DATA = False
    with pytest.raises(ImproperlyConfigured):
        hr_demo.seed()
    with pytest.raises(Exception, match="refused"):
        call_command("seed_demo")
