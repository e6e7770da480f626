import pytest

from assessments.simulations.demo import play as play_labels
from assessments.simulations.models import Scenario
from assessments.simulations.scenarios import SCENARIOS, build


def publish(data) -> Scenario:
    scenario = build(data)
    scenario.save()
    scenario.save_revision().publish()
    return Scenario.objects.get(pk=scenario.pk)


@pytest.fixture
def sims(db):
    """SIM-01, SIM-02, SIM-03 as in domain.md, published: ``sims["SIM-01"]``."""
    return {data["code"]: publish(data) for data in SCENARIOS}


@pytest.fixture
def play():
    """``play(scenario, user, "AAB", variant="")`` plays labels through the services."""

    def _play(scenario, user, labels, variant=""):
        return play_labels(scenario, user, variant, labels)

    return _play
