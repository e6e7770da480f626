import pytest

from assessments.simulations import demo
from assessments.simulations.models import Run, Scenario, Step

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_links_the_cases(site):
    from casebank import demo as casebank_demo
    from people import demo as people_demo

    people_demo.seed()
    casebank_demo.seed()
    demo.seed()
    counts = (Scenario.objects.count(), Run.objects.count(), Step.objects.count())
    assert counts[0] == 3 and counts[1] == len(demo.DEMO_RUNS)
    assert all(Scenario.objects.filter(live=True).values_list("live", flat=True))
    demo.seed()
    assert (Scenario.objects.count(), Run.objects.count(), Step.objects.count()) == counts
    assert Scenario.objects.get(code="SIM-01").case.slug == "demo-case-01"
    assert Scenario.objects.get(code="SIM-03").variants.count() == 2
    assert Run.objects.filter(status="in_progress").count() == 0
    assert Run.objects.filter(red_line=True).count() == 2
