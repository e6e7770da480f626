"""Service-level guarantees: one open run per variant, no double answers, audit entries."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry

from assessments.simulations.models import Run, Step
from assessments.simulations.services import Conflict, InvalidChoice, choose, start_run

pytestmark = pytest.mark.django_db


def test_start_resumes_the_open_run(sims, learner):
    run, created = start_run(sims["SIM-03"], variant="gas", acting_user=learner)
    again, created_again = start_run(sims["SIM-03"], variant="gas", acting_user=learner)
    other, _ = start_run(sims["SIM-03"], variant="moan", acting_user=learner)
    assert created and not created_again and again.pk == run.pk and other.pk != run.pk
    assert run.scenario_key == "SIM-03:gas" and other.scenario_key == "SIM-03"


def test_database_refuses_a_second_open_run(sims, learner):
    run, _ = start_run(sims["SIM-01"], acting_user=learner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Run.objects.create(
            user=learner,
            scenario=run.scenario,
            variant=run.variant,
            scenario_key=run.scenario_key,
            spec=run.spec,
            current_node="N1",
            node_entered_at=timezone.now(),
            started_at=timezone.now(),
        )


def test_a_racing_second_answer_is_a_conflict(sims, learner):
    """Two requests answer N1 at once: the one that commits second cannot apply."""
    run, _ = start_run(sims["SIM-01"], acting_user=learner)
    a = next(c for c in run.graph().choices["N1"] if c["label"] == "A")
    b = next(c for c in run.graph().choices["N1"] if c["label"] == "B")
    # the first request's step is in the database, but this request read the run before
    Step.objects.create(
        run=run,
        seq=1,
        node_key="N1",
        choice_id=a["id"],
        choice_label="A",
        points={},
        elapsed_seconds=1,
        chosen_at=timezone.now(),
    )
    with pytest.raises(Conflict):
        choose(run, b["id"], acting_user=learner)
    assert list(run.steps.values_list("choice_label", flat=True)) == ["A"]


def test_someone_else_cannot_choose_in_my_run(sims, learner, other_learner):
    run, _ = start_run(sims["SIM-01"], acting_user=learner)
    a = run.graph().choices["N1"][0]
    with pytest.raises(InvalidChoice):
        choose(run, a["id"], acting_user=other_learner)
    assert run.steps.count() == 0


def test_a_published_revision_does_not_change_a_run_in_progress(sims, learner, play):
    run = play(sims["SIM-01"], learner, "AA")
    scenario = sims["SIM-01"]
    choices = list(scenario.choices.all())
    for choice in choices:
        if choice.node_key == "N3" and choice.label == "A":
            choice.points = "LEG 0, EMP 0, PRO 0, TIM 0, SAF 0"
    scenario.choices = choices
    scenario.save_revision().publish()
    assert scenario.choices.get(node_key="N3", label="A").points.startswith("LEG 0")
    run = play(scenario, learner, "AAAAA")
    assert run.overall == pytest.approx(99.5)


def test_runs_write_audit_entries(sims, learner, play):
    play(sims["SIM-01"], learner, "AAB")
    actions = list(
        ModelLogEntry.objects.filter(action__startswith="simulations.").values_list(
            "action", flat=True
        )
    )
    assert actions.count("simulations.choice_made") == 3
    assert "simulations.run_started" in actions and "simulations.run_finished" in actions
