"""Learner, public and district-admin pages."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from certification import services
from certification.models import Certificate


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cert(worker, level_c1):
    c, _ = services.issue_certificate(worker, level_c1, acting_user=None)
    return c


def test_my_certificates_lists_own_and_shows_progress(
    client_for, learner, cert, other_worker, level_c0
):
    services.issue_certificate(other_worker, level_c0, acting_user=None)
    response = client_for(learner).get("/me/certificates/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "我的证书" in body
    assert cert.number in body
    assert "C1 初级网格员" in body
    assert "下一级：C2" in body
    assert "还差以下几项" in body
    assert Certificate.objects.exclude(pk=cert.pk).get().number not in body


def test_my_certificates_needs_login(client_for, db):
    response = client_for(None).get("/me/certificates/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_pdf_download_own_only(client_for, learner, other_learner, cert, district_admin):
    url = f"/me/certificates/{cert.pk}/pdf/"
    response = client_for(learner).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    for user in (other_learner, district_admin):
        assert client_for(user).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302


def test_verify_form_redirects_to_code(client, db):
    response = client.get("/verify/", {"code": "abcd efgh-ijkl"})
    assert response.status_code == 302
    assert response["Location"] == "/verify/ABCDEFGHIJKL/"
    assert "查验码" in client.get("/verify/").content.decode()


def test_verify_valid_shows_masked_name_only(client, cert):
    response = client.get(f"/verify/{cert.verification_code}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "有效" in body
    assert "陈*远" in body
    assert "陈思远" not in body
    assert "13912345678" not in body and "A0001" not in body
    assert cert.number in body
    assert "网格学堂培训认证中心" in body
    assert cert.expires_on.strftime("%Y-%m-%d") in body


def test_verify_lowercase_code_works(client, cert):
    assert client.get(f"/verify/{cert.verification_code.lower()}/").status_code == 200


def test_verify_expired(client, worker, level_c1):
    long_ago = timezone.localdate() - dt.timedelta(days=365 * 4)
    c, _ = services.issue_certificate(worker, level_c1, acting_user=None, on=long_ago)
    assert "已过期" in client.get(f"/verify/{c.verification_code}/").content.decode()


def test_verify_revoked(client, cert, district_admin):
    services.revoke_certificate(cert, reason="材料造假", acting_user=district_admin)
    body = client.get(f"/verify/{cert.verification_code}/").content.decode()
    assert "已撤销" in body
    assert "材料造假" not in body  # the reason is not public


def test_verify_superseded(client, worker, level_c0, level_c1):
    c0, _ = services.issue_certificate(worker, level_c0, acting_user=None)
    c1, _ = services.issue_certificate(worker, level_c1, acting_user=None)
    body = client.get(f"/verify/{c0.verification_code}/").content.decode()
    assert "已被更新" in body
    assert c1.number in body


def test_verify_unknown_code_is_a_friendly_404(client, db):
    response = client.get("/verify/NOSUCHCODE2345678/")
    assert response.status_code == 404
    assert "未找到证书" in response.content.decode()


def test_verify_is_rate_limited_per_client(client, cert, settings):
    settings.GA_VERIFY_RATE_LIMIT = (3, 60)
    url = f"/verify/{cert.verification_code}/"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get(url)
    assert limited.status_code == 429
    assert "查询过于频繁" in limited.content.decode()
    # another client address is not affected
    assert client.get(url, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_manage_list_scoped_to_jurisdiction(
    client_for, district_admin, cert, other_worker, level_c0, org, django_assert_max_num_queries
):
    from people.factories import UserFactory, WorkerProfileFactory
    from people.roles import DISTRICT_ADMIN

    other, _ = services.issue_certificate(other_worker, level_c0, acting_user=None)
    for _i in range(6):  # more rows must not mean more queries
        services.issue_certificate(
            WorkerProfileFactory(org_unit=org.grid_a2), level_c0, acting_user=None
        )
    c = client_for(district_admin)
    with django_assert_max_num_queries(14):
        body = c.get("/certification/manage/").content.decode()
    assert cert.number in body and other.number in body
    admin_b = UserFactory(username="adm-b", roles=[DISTRICT_ADMIN], jurisdiction=org.street_b)
    body = client_for(admin_b).get("/certification/manage/").content.decode()
    assert other.number in body and cert.number not in body
    assert client_for(admin_b).get(f"/certification/manage/{cert.pk}/").status_code == 404


def test_manage_denied_to_hr_and_learner(client_for, hr_district, learner, cert):
    for user in (hr_district, learner):
        assert client_for(user).get("/certification/manage/").status_code == 404
        assert (
            client_for(user).post(f"/certification/manage/{cert.pk}/", {"reason": "x"}).status_code
            == 404
        )
    cert.refresh_from_db()
    assert cert.revoked_on is None


def test_revoke_through_the_page(client_for, district_admin, cert):
    c = client_for(district_admin)
    response = c.post(f"/certification/manage/{cert.pk}/", {"reason": ""})
    assert response.status_code == 200
    assert "请填写撤销原因" in response.content.decode()
    response = c.post(f"/certification/manage/{cert.pk}/", {"reason": "冒名顶替"}, follow=True)
    assert "已撤销" in response.content.decode()
    cert.refresh_from_db()
    assert cert.revoked_reason == "冒名顶替"
    assert "冒名顶替" in c.get(f"/certification/manage/{cert.pk}/").content.decode()


def test_home_panel_shows_holdings_and_next_level(client_for, learner, cert, site):
    body = client_for(learner).get("/").content.decode()
    assert "我持有的证书" in body
    assert "C1 初级网格员" in body
    assert "下一级：C2" in body
    assert "我的证书" in body


def test_nav_links(client_for, learner, district_admin, site):
    assert "/me/certificates/" in client_for(learner).get("/").content.decode()
    assert "/certification/manage/" in client_for(district_admin).get("/").content.decode()


def test_admin_edits_levels_and_requirements(client_for, district_admin, learner, level_c1):
    c = client_for(district_admin)
    assert c.get("/admin/snippets/certification/certificationlevel/").status_code == 200
    edit = c.get(f"/admin/snippets/certification/certificationlevel/edit/{level_c1.pk}/")
    assert edit.status_code == 200
    assert "SIM-03" in edit.content.decode()
    assert c.get("/admin/snippets/certification/wageindex/").status_code == 200
    assert client_for(learner).get(
        "/admin/snippets/certification/certificationlevel/"
    ).status_code in (302, 403)


def test_detail_answers_valid_on_a_date(client_for, district_admin, worker, level_c1):
    start = timezone.localdate() - dt.timedelta(days=30)
    c, _ = services.issue_certificate(worker, level_c1, acting_user=None, on=start)
    services.revoke_certificate(c, reason="违规", acting_user=district_admin)
    client = client_for(district_admin)
    url = f"/certification/manage/{c.pk}/"
    body = client.get(url, {"on": (start + dt.timedelta(days=1)).isoformat()}).content.decode()
    assert "当日有效" in body
    body = client.get(url, {"on": timezone.localdate().isoformat()}).content.decode()
    assert "当日无效" in body
    response = client.get(url, {"on": "1800-01-01"})
    assert response.status_code == 200
    assert "2000 年至 2100 年" in response.content.decode()
    assert client.get(url, {"on": "garbage"}).status_code == 200
