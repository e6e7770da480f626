import pytest


@pytest.mark.django_db
def test_hr_menu_shows_each_role_what_it_may_use(client_for, hr_district, district_admin):
    body = client_for(district_admin).get("/admin/").content.decode()
    for url in ("/admin/hr/records/", "/admin/hr/audit/", "/admin/hr/tokens/"):
        assert url in body
    body = client_for(hr_district).get("/admin/").content.decode()
    assert "/admin/hr/records/" in body
    assert "/admin/hr/tokens/" not in body
