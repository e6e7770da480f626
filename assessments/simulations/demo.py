"""Demo: SIM-01, SIM-02 and SIM-03 (both variants) published, a review workflow for
scenarios, and finished runs by a handful of demo workers. Idempotent."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import GroupApprovalTask, Workflow, WorkflowContentType

from casebank.models import CasePage
from people.models import User
from people.roles import REVIEWER, ROLE_GROUP_NAMES

from . import graph
from .models import Run, Scenario
from .scenarios import SCENARIOS, build
from .services import choose, start_run

# (username or employee number, scenario code, variant, path of choice labels)
DEMO_RUNS = [
    ("demo-learner", "SIM-01", "", "AAAAAAA"),
    ("demo-learner", "SIM-02", "", "AAAB"),  # crosses red line R9 at N4
    ("demo-learner", "SIM-02", "", "AAAAAAAA"),
    ("demo-learner", "SIM-03", "moan", "AAAAAAA"),
    ("QC0001", "SIM-01", "", "BBDBBBB"),
    ("QC0001", "SIM-03", "gas", "AAAAAAA"),
    ("QC0002", "SIM-01", "", "AAB"),
    ("QC0002", "SIM-03", "moan", "DAAAAAC"),
    ("QC0003", "SIM-02", "", "DCAAABAB"),
    ("QC0003", "SIM-03", "gas", "AAB"),  # red line R15
    ("QC0031", "SIM-01", "", "AAAAABA"),
    ("QC0031", "SIM-02", "", "CCBCBCCB"),
    ("QC0032", "SIM-03", "moan", "ABAAAAA"),
]


def seed(stdout=None) -> None:
    with transaction.atomic():
        for data in SCENARIOS:
            if Scenario.objects.filter(code=data["code"]).exists():
                continue
            scenario = build(data)
            scenario.case = CasePage.objects.filter(slug=data["case_slug"]).first()
            problems = graph.validate_spec(scenario.compile())
            if problems:
                raise ValueError(f"{data['code']}: {problems}")
            scenario.save()
            scenario.save_revision().publish()
            if stdout:
                stdout.write(f"simulations: {data['code']} published")
        _workflow()
        _runs(stdout)


def _workflow() -> None:
    """Scenarios go through review by the 评审员 group, like other content."""
    content_type = ContentType.objects.get_for_model(Scenario, for_concrete_model=False)
    if WorkflowContentType.objects.filter(content_type=content_type).exists():
        return
    group = Group.objects.filter(name=ROLE_GROUP_NAMES[REVIEWER]).first()
    if group is None:
        return
    workflow = Workflow.objects.create(name="仿真演练审核")
    task = GroupApprovalTask.objects.create(name="评审员审核仿真演练")
    task.groups.set([group])
    workflow.workflow_tasks.create(task=task, sort_order=0)
    WorkflowContentType.objects.create(content_type=content_type, workflow=workflow)


def _runs(stdout) -> None:
    scenarios = {s.code: s for s in Scenario.objects.filter(live=True)}
    users: dict[str, User] = {}
    for who, code, variant, labels in DEMO_RUNS:
        user = users.get(who)
        if user is None:
            user = (
                User.objects.filter(username=who).first()
                or User.objects.filter(worker__employee_no=who).first()
            )
            if user is None:
                continue
            users[who] = user
        scenario = scenarios.get(code)
        if scenario is None:
            continue
        key = graph.scenario_key(
            scenario.compile(), variant or graph.default_variant(scenario.compile())
        )
        path = "".join(labels)
        if any(
            "".join(r.steps.values_list("choice_label", flat=True)) == path
            for r in Run.objects.filter(user=user, scenario_key=key).prefetch_related("steps")
        ):
            continue
        play(scenario, user, variant, labels)
    if stdout:
        stdout.write(f"simulations: {Run.objects.finished().count()} finished demo runs")


def play(scenario: Scenario, user: User, variant: str, labels: str) -> Run:
    """Play ``labels`` (one choice label per node) through the services, like a learner would."""
    run, _created = start_run(scenario, variant=variant or None, acting_user=user)
    for label in labels:
        run.refresh_from_db()
        if run.is_finished:
            break
        vgraph = run.graph()
        choice = next(c for c in vgraph.choices[run.current_node] if c["label"] == label)
        choose(run, choice["id"], acting_user=user)
    run.refresh_from_db()
    return run
