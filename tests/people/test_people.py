import pytest
from django.core.management import call_command
from wagtail.models import ModelLogEntry

from people.factories import WorkerProfileFactory
from people.masking import mask_id_number, mask_mobile, mask_name
from people.models import OrgUnit, User, WorkerProfile
from people.services import change_grade, reveal_personal_data


def test_masking():
    assert mask_mobile("13912345678") == "139****5678"
    assert mask_id_number("110101199003071233") == "110101********1233"
    assert mask_name("张晓明") == "张*明"
    assert mask_name("李四") == "李*"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_mobile(None) == mask_id_number("") == mask_name("") == ""


@pytest.mark.django_db
def test_login_by_username_or_mobile(client, learner):
    assert client.login(username="learner", password="pass-word-123")
    client.logout()
    assert client.login(username="13912345678", password="pass-word-123")
    client.logout()
    assert not client.login(username="13912345678", password="wrong")
    assert not client.login(username="nobody", password="pass-word-123")


@pytest.mark.django_db
def test_login_page_in_chinese_and_errors_clear(client, learner):
    response = client.get("/accounts/login/")
    assert "登录" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "learner", "password": "bad"})
    assert response.status_code == 200
    assert "用户名/手机号或密码错误" in response.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "13912345678", "password": "pass-word-123"}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_worker_admin_list_is_masked_and_scoped(client_for, hr_street_a, learner, other_learner):
    response = client_for(hr_street_a).get("/admin/snippets/people/workerprofile/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "陈思远" in body and "林雨萱" not in body
    assert "139****5678" in body and "13912345678" not in body


@pytest.mark.django_db
def test_worker_admin_detail_of_another_street_is_refused(
    client_for, hr_street_a, hr_district, learner, other_learner
):
    url = f"/admin/snippets/people/workerprofile/inspect/{other_learner.worker.pk}/"
    assert client_for(hr_street_a).get(url).status_code in (403, 404)
    edit = f"/admin/snippets/people/workerprofile/edit/{other_learner.worker.pk}/"
    assert client_for(hr_street_a).get(edit).status_code in (302, 403, 404)
    assert client_for(hr_district).get(url).status_code == 200
    own = f"/admin/snippets/people/workerprofile/inspect/{learner.worker.pk}/"
    assert client_for(hr_street_a).get(own).status_code == 200


@pytest.mark.django_db
def test_learner_has_no_admin(client_for, learner):
    response = client_for(learner).get("/admin/snippets/people/workerprofile/")
    assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_change_grade_writes_history_and_audit(district_admin, learner):
    import datetime as dt

    from django.core.exceptions import ValidationError

    worker = learner.worker
    change_grade(
        worker,
        grade=4,
        effective_date=dt.date(2026, 7, 1),
        reason="晋级",
        acting_user=district_admin,
    )
    worker.refresh_from_db()
    assert worker.grade == 4
    assert worker.grade_history.first().reason == "晋级"
    entry = ModelLogEntry.objects.get(action="people.grade_changed")
    assert entry.data["to_grade"] == 4 and entry.user_id == district_admin.pk
    with pytest.raises(ValidationError):
        change_grade(
            worker,
            grade=13,
            effective_date=dt.date(2026, 7, 1),
            reason="x",
            acting_user=district_admin,
        )
    worker.refresh_from_db()
    assert worker.grade == 4


@pytest.mark.django_db
def test_unmasking_needs_permission_and_is_logged(hr_street_a, learner, other_learner):
    from django.contrib.auth.models import Permission
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        reveal_personal_data(learner.worker, acting_user=hr_street_a)
    hr_street_a.user_permissions.add(Permission.objects.get(codename="unmask_personal_data"))
    hr_street_a = User.objects.get(pk=hr_street_a.pk)
    data = reveal_personal_data(learner.worker, acting_user=hr_street_a, reason="核对")
    assert data["mobile"] == "13912345678"
    assert ModelLogEntry.objects.filter(action="people.personal_data_revealed").count() == 1
    with pytest.raises(PermissionDenied):
        reveal_personal_data(other_learner.worker, acting_user=hr_street_a)


@pytest.mark.django_db
def test_org_unit_admin_adds_child_in_jurisdiction(client_for, district_admin, org):
    client = client_for(district_admin)
    response = client.post(
        "/admin/snippets/people/orgunit/add/",
        {"name": "新华社区", "code": "t-a-3", "level": "community", "parent": org.street_a.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = OrgUnit.objects.get(code="t-a-3")
    assert unit.get_parent() == org.street_a
    response = client.post(
        "/admin/snippets/people/orgunit/add/",
        {"name": "错层", "code": "t-a-4", "level": "grid", "parent": org.street_a.pk},
    )
    assert response.status_code == 200
    assert not OrgUnit.objects.filter(code="t-a-4").exists()
    response = client.post(
        "/admin/snippets/people/orgunit/add/",
        {"name": "越权", "code": "t-x", "level": "district", "parent": org.city.pk},
    )
    assert not OrgUnit.objects.filter(code="t-x").exists()


@pytest.mark.django_db
def test_service_years():
    import datetime as dt

    worker = WorkerProfileFactory.build(service_start_date=dt.date(2020, 2, 29))
    assert worker.service_years(dt.date(2023, 2, 28)) == 2
    assert worker.service_years(dt.date(2023, 3, 1)) == 3


@pytest.mark.django_db
def test_roles_exist_after_migrate():
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {"学员", "培训师", "评审员", "人事专员", "区级管理员"} <= names
    hr = Group.objects.get(name="人事专员")
    assert hr.permissions.filter(codename="view_workerprofile").exists()
    assert not hr.permissions.filter(codename="change_workerprofile").exists()


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo", verbosity=0)
    counts = (User.objects.count(), WorkerProfile.objects.count(), OrgUnit.objects.count())
    assert counts[1] == 60 and counts[2] == 20
    assert User.objects.get(username="demo-learner").worker.org_unit.path.startswith(
        OrgUnit.objects.get(code="qc-lj-la").path
    )
    snapshot = list(
        WorkerProfile.objects.values_list("employee_no", "grade", "user__name").order_by("pk")
    )
    call_command("seed_demo", verbosity=0)
    assert (User.objects.count(), WorkerProfile.objects.count(), OrgUnit.objects.count()) == counts
    assert (
        list(WorkerProfile.objects.values_list("employee_no", "grade", "user__name").order_by("pk"))
        == snapshot
    )
    for username in ("demo-learner", "demo-trainer", "demo-hr", "demo-hr-district", "demo-admin"):
        assert User.objects.get(username=username).check_password("grid-demo-2026")
