import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from wagtail.models import ModelLogEntry

from people.models import LoginLock


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _fail(client, username, times, ip="10.1.1.1"):
    for _ in range(times):
        client.post("/accounts/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_account_locks_after_five_failures_with_a_chinese_message(client, learner):
    _fail(client, "learner", 5)
    response = client.post(
        "/accounts/login/",
        {"username": "learner", "password": "pass-word-123"},
        REMOTE_ADDR="10.1.1.1",
    )
    assert response.status_code == 200
    assert "账号因多次登录失败已被锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The lock is per account, whatever the address or the identifier (mobile) used.
    response = client.post(
        "/accounts/login/",
        {"username": "13912345678", "password": "pass-word-123"},
        REMOTE_ADDR="10.9.9.9",
    )
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_colleagues_behind_the_same_address_are_not_locked_out(client, learner, other_learner):
    _fail(client, "learner", 8, ip="10.2.2.2")
    assert (
        client.login(username="other-learner", password="pass-word-123", REMOTE_ADDR="10.2.2.2")
        or True
    )
    response = client.post(
        "/accounts/login/",
        {"username": "other-learner", "password": "pass-word-123"},
        REMOTE_ADDR="10.2.2.2",
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_address_limit_is_a_higher_secondary_limit(client, learner, settings):
    settings.GA_LOGIN_ADDRESS_LIMIT = 12
    for i in range(12):
        _fail(client, f"nobody{i}", 1, ip="10.3.3.3")
    response = client.post(
        "/accounts/login/",
        {"username": "learner", "password": "pass-word-123"},
        REMOTE_ADDR="10.3.3.3",
    )
    assert "来自该网络的登录失败次数过多" in response.content.decode()
    response = client.post(
        "/accounts/login/",
        {"username": "learner", "password": "pass-word-123"},
        REMOTE_ADDR="10.4.4.4",
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_lock_expires_by_time(client, learner):
    _fail(client, "learner", 5)
    LoginLock.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(
        "/accounts/login/",
        {"username": "learner", "password": "pass-word-123"},
        REMOTE_ADDR="10.1.1.1",
    )
    assert response.status_code == 302
    assert not LoginLock.objects.exists()


@pytest.mark.django_db
def test_admin_unlocks_and_it_is_logged(client_for, client, learner, district_admin):
    _fail(client, "learner", 5)
    lock = LoginLock.objects.get()
    assert lock.is_locked and lock.user == learner
    admin_client = client_for(district_admin)
    listing = admin_client.get("/admin/snippets/people/loginlock/")
    assert "learner" in listing.content.decode()
    response = admin_client.post(f"/admin/snippets/people/loginlock/delete/{lock.pk}/")
    assert response.status_code == 302
    assert not LoginLock.objects.exists()
    assert ModelLogEntry.objects.filter(action="people.login_unlocked").count() == 1


@pytest.mark.django_db
def test_hr_cannot_unlock_and_street_admin_cannot_see_other_streets(
    client, client_for, learner, other_learner, hr_district, org
):
    from people.factories import UserFactory
    from people.roles import DISTRICT_ADMIN

    _fail(client, "other-learner", 5)
    lock = LoginLock.objects.get()
    assert client_for(hr_district).post(
        f"/admin/snippets/people/loginlock/delete/{lock.pk}/"
    ).status_code in (302, 403, 404)
    assert LoginLock.objects.exists()
    street_admin = UserFactory(username="sa", roles=[DISTRICT_ADMIN], jurisdiction=org.street_a)
    response = client_for(street_admin).post(f"/admin/snippets/people/loginlock/delete/{lock.pk}/")
    assert response.status_code == 404
    assert LoginLock.objects.exists()


@pytest.mark.django_db
def test_wagtail_admin_login_has_the_same_lockout(client, trainer):
    for _ in range(5):
        client.post(
            "/admin/login/", {"username": "trainer", "password": "bad"}, REMOTE_ADDR="10.5.5.5"
        )
    response = client.post(
        "/admin/login/",
        {"username": "trainer", "password": "pass-word-123"},
        REMOTE_ADDR="10.5.5.5",
    )
    assert "_auth_user_id" not in client.session
    assert "锁定" in response.content.decode()
