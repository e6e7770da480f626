"""三岗十八级: eligibility (pure and set-based), HR decisions, the pay estimate."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from wagtail.models import ModelLogEntry

from certification import ladder, services
from certification.ladder import LadderFacts, LadderRules
from certification.models import GradeReviewItem, WageIndex
from certification.rules import HeldCertificate
from people.models import AnnualAppraisal, GradeRecord, Post

REVIEW = dt.date(2027, 1, 1)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def rules_(**kw) -> LadderRules:
    base = {
        "post_ranges": {"general": (1, 12), "deputy": (4, 15), "chief": (7, 18)},
        "step_years": 3,
        "degree_years": {"bachelor": 3, "master": 5},
        "qual_bump": {"assistant": 1, "social_worker": 2},
        "qual_allowance": {"social_worker": D("500")},
        "appraisal_credit": {
            "excellent": D("1.5"),
            "competent": D("1"),
            "basic": D("0.5"),
            "incompetent": D("0"),
        },
        "gates": ((1, 4, "C0"), (5, 8, "C1"), (9, 12, "C2")),
        "level_ranks": {"C0": 0, "C1": 1, "C2": 2},
        "level_cpd": {"C0": D("40"), "C1": D("40")},
        "cpd_rule_from": 2024,
        "post_ratio": {"general": D("0.80"), "deputy": D("0.95")},
        "performance_factor": {"competent": D("1.0"), "excellent": D("1.2")},
    }
    base.update(kw)
    return LadderRules(**base)


def c1() -> HeldCertificate:
    return HeldCertificate("C1", dt.date(2025, 1, 1), dt.date(2027, 12, 31), dt.date(2025, 1, 1))


def test_domain_worked_example_is_eligible_with_c1():
    # 一般, 本科, 社会工作师, 4 years → grade due 1 + ⌊(4+3)/3⌋ + 2 = 5 (band 5–8 needs C1)
    facts = LadderFacts(
        post="general",
        grade=4,
        education="bachelor",
        qualification="social_worker",
        service_start=dt.date(2022, 12, 1),
        certificates=[c1()],
    )
    result = ladder.eligibility(facts, rules_(), REVIEW)
    assert result.eligible
    assert result.proposed_grade == 5
    assert result.due_grade == 5
    assert "符合晋升 5 级条件" in result.reason
    assert "折算年限 7 年" in result.reason


def test_certificate_gate_blocks_and_says_why():
    facts = LadderFacts(
        post="general",
        grade=4,
        education="bachelor",
        qualification="social_worker",
        service_start=dt.date(2022, 12, 1),
    )
    result = ladder.eligibility(facts, rules_(), REVIEW)
    assert not result.eligible
    assert result.proposed_grade == 4
    assert "需持有有效的 C1 证书" in result.reason


def test_expired_gate_certificate_does_not_count():
    old = HeldCertificate("C1", dt.date(2023, 1, 1), dt.date(2025, 12, 31), dt.date(2023, 1, 1))
    facts = LadderFacts(
        post="general",
        grade=4,
        education="bachelor",
        qualification="social_worker",
        service_start=dt.date(2022, 12, 1),
        certificates=[old],
    )
    assert not ladder.eligibility(facts, rules_(), REVIEW).eligible


def test_appraisal_credits_and_cpd_shortfall_cap():
    facts = LadderFacts(
        post="general",
        grade=2,
        education="college",
        qualification="",
        service_start=dt.date(2020, 6, 1),
        appraisals={2024: "excellent", 2025: "competent", 2026: "competent"},
        cpd_by_year={2024: D("40"), 2025: D("10"), 2026: D("40")},
        certificates=[
            HeldCertificate("C0", dt.date(2024, 1, 1), dt.date(2027, 6, 30), dt.date(2024, 1, 1))
        ],
    )
    total, words = ladder.credited_years(facts, rules_(), REVIEW)
    # service 6 years: 3 without appraisal + 1.5 + 0.5 (2025 capped: 10 h < 40 h) + 1
    assert total == D("6")
    assert any("学时 10 < 40" in w for w in words)
    result = ladder.eligibility(facts, rules_(), REVIEW)
    assert result.due_grade == 3
    assert result.eligible and result.proposed_grade == 3


def test_incompetent_last_year_blocks():
    facts = LadderFacts(
        post="general",
        grade=2,
        education="bachelor",
        qualification="",
        service_start=dt.date(2018, 1, 1),
        appraisals={2026: "incompetent"},
        certificates=[
            HeldCertificate("C0", dt.date(2026, 1, 1), dt.date(2027, 6, 30), dt.date(2026, 1, 1))
        ],
    )
    result = ladder.eligibility(facts, rules_(), REVIEW)
    assert not result.eligible
    assert "2026 年度考核为不称职" in result.reason


def test_top_of_post_range():
    facts = LadderFacts(
        post="general",
        grade=12,
        education="master",
        qualification="",
        service_start=dt.date(1990, 1, 1),
    )
    result = ladder.eligibility(facts, rules_(), REVIEW)
    assert not result.eligible
    assert "最高等级 12 级" in result.reason


def test_not_yet_due_tells_the_next_step():
    facts = LadderFacts(
        post="general",
        grade=2,
        education="college",
        qualification="",
        service_start=dt.date(2023, 6, 1),
    )
    result = ladder.eligibility(facts, rules_(), REVIEW)
    assert not result.eligible
    assert "尚未达到" in result.reason
    assert "可晋升至 3 级" in result.next_step


def test_allowance_mode_has_no_bump_and_pays_allowance():
    lr = rules_(qual_mode="allowance")
    facts = LadderFacts(
        post="general",
        grade=4,
        education="bachelor",
        qualification="social_worker",
        service_start=dt.date(2022, 12, 1),
        certificates=[c1()],
    )
    assert ladder.eligibility(facts, lr, REVIEW).due_grade == 3
    estimate = ladder.pay_estimate(
        post="general",
        grade=4,
        qualification="social_worker",
        last_appraisal="competent",
        lr=lr,
        wage=D("120000"),
        wage_year=2025,
        wage_effective_from=dt.date(2026, 7, 1),
    )
    assert estimate.allowance_monthly == D("500")


def test_pay_estimate_domain_example():
    # W 120,000 × 0.80 × (1 + 0.025 × 4) = 105,600; base 70 % / 12 = 6,160
    estimate = ladder.pay_estimate(
        post="general",
        grade=5,
        qualification="social_worker",
        last_appraisal="competent",
        lr=rules_(),
        wage=D("120000"),
        wage_year=2025,
        wage_effective_from=dt.date(2026, 7, 1),
    )
    assert estimate.annual_target == D("105600")
    assert estimate.base_monthly == D("6160")
    assert estimate.performance_annual == D("31680")
    assert estimate.allowance_monthly == 0


# --- database side ---------------------------------------------------------------------------


@pytest.fixture
def eligible_worker(worker, level_c1):
    """The learner: 一般 grade 4, 本科 + 社工师, enough years, holds C1 → eligible for 5."""
    worker.post = Post.GENERAL
    worker.grade = 4
    worker.education = "bachelor"
    worker.sw_qualification = "social_worker"
    worker.sw_qualification_date = dt.date(2024, 6, 20)
    worker.service_start_date = dt.date(2022, 12, 1)
    worker.save()
    services.issue_certificate(worker, level_c1, acting_user=None, on=dt.date(2026, 1, 5))
    return worker


def test_review_computes_every_worker_with_reasons(
    eligible_worker, other_worker, district_admin, org, django_assert_max_num_queries
):
    from people.factories import WorkerProfileFactory

    for _i in range(5):
        WorkerProfileFactory(org_unit=org.grid_a2, grade=1)
    with django_assert_max_num_queries(30):
        summary = services.create_grade_review(org.district, REVIEW, acting_user=district_admin)
    items = {i.worker_id: i for i in summary.review.items.all()}
    assert len(items) == 7
    assert items[eligible_worker.pk].eligible
    assert items[eligible_worker.pk].proposed_grade == 5
    assert all(i.reason for i in items.values())
    assert summary.eligible >= 1 and summary.blocked >= 1
    # the query count does not grow with the number of workers
    for _i in range(10):
        WorkerProfileFactory(org_unit=org.grid_b1, grade=1)
    with django_assert_max_num_queries(30):
        services.create_grade_review(org.district, REVIEW, acting_user=district_admin)


def test_review_denied_outside_jurisdiction_and_for_hr(district_admin, hr_district, org):
    from people.factories import UserFactory
    from people.roles import DISTRICT_ADMIN

    admin_b = UserFactory(username="adm-b", roles=[DISTRICT_ADMIN], jurisdiction=org.street_b)
    with pytest.raises(PermissionDenied):
        services.create_grade_review(org.street_a, REVIEW, acting_user=admin_b)
    with pytest.raises(PermissionDenied):
        services.create_grade_review(org.district, REVIEW, acting_user=hr_district)


def test_approval_writes_history_and_audit(eligible_worker, district_admin, org):
    summary = services.create_grade_review(org.street_a, REVIEW, acting_user=district_admin)
    item = summary.review.items.get(worker=eligible_worker)
    services.decide_review_items(
        summary.review, [item.pk], approve=True, acting_user=district_admin, note="同意"
    )
    eligible_worker.refresh_from_db()
    assert eligible_worker.grade == 5
    record = GradeRecord.objects.filter(worker=eligible_worker).first()
    assert record.grade == 5
    assert record.effective_date == REVIEW
    assert record.created_by == district_admin
    assert "等级评定" in record.reason
    assert ModelLogEntry.objects.filter(action="people.grade_changed", user=district_admin).exists()
    assert ModelLogEntry.objects.filter(action="certification.grade_approved").exists()
    item.refresh_from_db()
    assert item.decision == GradeReviewItem.Decision.APPROVED
    with pytest.raises(ValidationError):  # already decided
        services.decide_review_items(
            summary.review, [item.pk], approve=True, acting_user=district_admin
        )


def test_blocked_worker_cannot_be_approved_and_nothing_half_applies(
    eligible_worker, other_worker, district_admin, org
):
    summary = services.create_grade_review(org.district, REVIEW, acting_user=district_admin)
    ids = list(summary.review.items.values_list("pk", flat=True))
    with pytest.raises(ValidationError):
        services.decide_review_items(summary.review, ids, approve=True, acting_user=district_admin)
    eligible_worker.refresh_from_db()
    assert eligible_worker.grade == 4
    assert not GradeReviewItem.objects.exclude(decision="pending").exists()


def test_rejection_changes_no_grade(eligible_worker, district_admin, org):
    summary = services.create_grade_review(org.street_a, REVIEW, acting_user=district_admin)
    item = summary.review.items.get(worker=eligible_worker)
    services.decide_review_items(
        summary.review, [item.pk], approve=False, acting_user=district_admin
    )
    eligible_worker.refresh_from_db()
    assert eligible_worker.grade == 4
    assert ModelLogEntry.objects.filter(action="certification.grade_rejected").exists()


def test_review_pages_bulk_approve(client_for, eligible_worker, district_admin, hr_district, org):
    c = client_for(district_admin)
    response = c.post(
        "/certification/reviews/", {"org_unit": org.street_a.pk, "review_date": "2027-01-01"}
    )
    assert response.status_code == 302
    review_url = response["Location"]
    body = c.get(review_url).content.decode()
    assert eligible_worker.name in body
    assert "符合条件" in body
    item = GradeReviewItem.objects.get(worker=eligible_worker)
    response = c.post(
        review_url, {"items": [item.pk], "action": "approve", "note": ""}, follow=True
    )
    assert "已记录 1 项决定" in response.content.decode()
    eligible_worker.refresh_from_db()
    assert eligible_worker.grade == 5
    # HR and learners do not reach the pages
    assert client_for(hr_district).get(review_url).status_code == 404
    assert client_for(hr_district).get("/certification/reviews/").status_code == 404


def test_review_page_bad_input_is_a_message_not_a_500(
    client_for, eligible_worker, district_admin, org
):
    c = client_for(district_admin)
    summary = services.create_grade_review(org.street_a, REVIEW, acting_user=district_admin)
    url = f"/certification/reviews/{summary.review.pk}/"
    response = c.post(url, {"items": ["abc"], "action": "approve"}, follow=True)
    assert response.status_code == 200
    response = c.post("/certification/reviews/", {"org_unit": "", "review_date": "not a date"})
    assert response.status_code == 200
    response = c.post(
        "/certification/reviews/", {"org_unit": org.street_a.pk, "review_date": "9999-12-31"}
    )
    assert response.status_code == 200
    assert "五年以内" in response.content.decode()


def test_my_grade_shows_estimate_and_recomputes_on_new_wage(client_for, eligible_worker, learner):
    c = client_for(learner)
    body = c.get("/me/grade/").content.decode()
    assert "尚未录入当地平均工资" in body
    WageIndex.objects.create(year=2024, amount=D("100000"), effective_from=dt.date(2025, 7, 1))
    body = c.get("/me/grade/").content.decode()
    assert "估算" in body
    # 一般 grade 4: 100,000 × 0.80 × (1 + 0.025 × 3) = 86,000
    assert "86000" in body
    WageIndex.objects.create(year=2025, amount=D("120000"), effective_from=dt.date(2026, 7, 1))
    body = c.get("/me/grade/").content.decode()
    assert "103200" in body  # 120,000 × 0.80 × 1.075
    assert "86000" not in body


def test_my_grade_needs_a_worker_profile(client_for, hr_district):
    assert client_for(hr_district).get("/me/grade/").status_code == 404


def test_appraisals_feed_the_ladder(eligible_worker, district_admin, org):
    AnnualAppraisal.objects.create(worker=eligible_worker, year=2026, result="incompetent")
    summary = services.create_grade_review(org.street_a, REVIEW, acting_user=district_admin)
    item = summary.review.items.get(worker=eligible_worker)
    assert not item.eligible
    assert "不称职" in item.reason
