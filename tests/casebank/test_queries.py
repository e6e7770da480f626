"""casebank.queries.accepted_cases — the contract certification reads."""

import datetime as dt

from casebank.factories import build_case, publish
from casebank.queries import AcceptedCase, accepted_cases
from casebank.services import approve_case, record_acceptance, submit_for_review
from people.factories import UserFactory
from people.roles import REVIEWER


def test_accepted_cases_by_author(library, trainer, reviewer, learner, org):
    street_reviewer = UserFactory(username="rev-s", roles=[REVIEWER], jurisdiction=org.street_a)
    first = build_case(library, title="甲", owner=trainer, authors=[trainer, learner])
    submit_for_review(first, acting_user=trainer)
    approve_case(first, acting_user=street_reviewer)
    second = build_case(library, title="乙", owner=trainer, authors=[trainer])
    submit_for_review(second, acting_user=trainer)
    approve_case(second, acting_user=reviewer)
    pending = build_case(library, title="丙", owner=trainer, authors=[learner])
    submit_for_review(pending, acting_user=trainer)

    result = accepted_cases([trainer.pk, learner.pk, reviewer.pk])
    today = dt.date.today()
    assert result[learner.pk] == [AcceptedCase(first.pk, "street", result[learner.pk][0].date)]
    assert {(c.case_id, c.review_level) for c in result[trainer.pk]} == {
        (first.pk, "street"),
        (second.pk, "district"),
    }
    assert abs((result[trainer.pk][0].date - today).days) <= 1
    assert reviewer.pk not in result


def test_owner_counts_when_no_authors_are_listed(library, learner, reviewer):
    case = publish(build_case(library, title="无作者", owner=learner))
    record_acceptance(case, acting_user=reviewer)
    assert [c.case_id for c in accepted_cases([learner.pk])[learner.pk]] == [case.pk]


def test_unpublished_cases_do_not_count(library, learner, reviewer):
    case = publish(build_case(library, title="撤下", owner=learner, authors=[learner]))
    record_acceptance(case, acting_user=reviewer)
    case.unpublish()
    assert accepted_cases([learner.pk]) == {}


def test_query_count_is_constant(library, learner, reviewer, django_assert_num_queries):
    for i in range(3):
        case = publish(build_case(library, title=f"案例{i}", owner=learner, authors=[learner]))
        record_acceptance(case, acting_user=reviewer)
    with django_assert_num_queries(2):
        result = accepted_cases([learner.pk, 999999])
    assert len(result[learner.pk]) == 3
    with django_assert_num_queries(0):
        assert accepted_cases([]) == {}
