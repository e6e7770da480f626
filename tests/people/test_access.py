import pytest
from django.http import Http404

from people.access import (
    can_see_worker,
    get_worker_for,
    org_units_visible_to,
    workers_visible_to,
)


@pytest.mark.django_db
def test_hr_of_street_a_never_sees_a_person_of_street_b(hr_street_a, learner, other_learner):
    visible = set(workers_visible_to(hr_street_a).values_list("user__username", flat=True))
    assert visible == {"learner"}
    assert not can_see_worker(hr_street_a, other_learner.worker)
    with pytest.raises(Http404):
        get_worker_for(hr_street_a, other_learner.worker.pk)


@pytest.mark.django_db
def test_district_hr_sees_both_streets(hr_district, learner, other_learner):
    visible = set(workers_visible_to(hr_district).values_list("user__username", flat=True))
    assert visible == {"learner", "other-learner"}
    assert get_worker_for(hr_district, other_learner.worker.pk) == other_learner.worker


@pytest.mark.django_db
def test_learner_sees_only_themselves(learner, other_learner):
    assert list(workers_visible_to(learner)) == [learner.worker]
    assert org_units_visible_to(learner).count() == 0
    with pytest.raises(Http404):
        get_worker_for(learner, other_learner.worker.pk)


@pytest.mark.django_db
def test_anonymous_and_inactive_see_nothing(hr_street_a, learner):
    from django.contrib.auth.models import AnonymousUser

    assert workers_visible_to(AnonymousUser()).count() == 0
    hr_street_a.is_active = False
    hr_street_a.save()
    assert workers_visible_to(hr_street_a).count() == 0


@pytest.mark.django_db
def test_jurisdiction_without_a_staff_role_grants_nothing(org, learner, other_learner):
    learner.jurisdiction = org.district
    learner.save()
    assert list(workers_visible_to(learner)) == [learner.worker]


@pytest.mark.django_db
def test_superuser_sees_everyone(admin, learner, other_learner):
    assert workers_visible_to(admin).count() == 2


@pytest.mark.django_db
def test_bad_ids_are_404(hr_district):
    for bad in ("abc", None, 999999):
        with pytest.raises(Http404):
            get_worker_for(hr_district, bad)
