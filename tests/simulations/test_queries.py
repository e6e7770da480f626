"""Certification input: best results, red-line hits, the run_finished signal."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.simulations.queries import best_results, red_line_hits
from assessments.simulations.signals import run_finished

pytestmark = pytest.mark.django_db


def test_best_results_prefers_passing_runs(
    sims, learner, other_learner, play, django_assert_num_queries
):
    play(sims["SIM-01"], learner, "BBDBBBB")  # 31.03 fail
    play(sims["SIM-01"], learner, "AAAAABA")  # 92.12 pass
    play(sims["SIM-01"], learner, "AAB")  # 89.31 pass
    play(sims["SIM-03"], learner, "AAB", variant="gas")  # red line
    play(sims["SIM-03"], other_learner, "AAAAAAA", variant="moan")
    with django_assert_num_queries(1):
        results = best_results([learner.pk, other_learner.pk])
    mine = results[learner.pk]
    assert set(mine) == {"SIM-01", "SIM-03:gas"}
    assert mine["SIM-01"].overall == Decimal("92.12") and mine["SIM-01"].passed
    assert mine["SIM-01"].dimensions["PRO"] == Decimal("85.71")
    assert mine["SIM-01"].date == timezone.now().date()
    assert mine["SIM-03:gas"].red_line and not mine["SIM-03:gas"].passed
    assert results[other_learner.pk]["SIM-03"].overall == Decimal("100.00")


def test_red_line_hits_since(sims, learner, other_learner, play, django_assert_num_queries):
    play(sims["SIM-01"], learner, "D")
    play(sims["SIM-02"], learner, "AB")
    play(sims["SIM-01"], other_learner, "AAAAAAA")
    with django_assert_num_queries(1):
        hits = red_line_hits(
            [learner.pk, other_learner.pk], timezone.now() - dt.timedelta(days=365)
        )
    assert hits == {learner.pk: 2}
    assert red_line_hits([learner.pk], timezone.now() + dt.timedelta(days=1)) == {}
    assert red_line_hits([learner.pk], timezone.now().date()) == {learner.pk: 2}


def test_run_finished_signal_after_commit(sims, learner, play, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, user, scenario, run, **kwargs):
        received.append((user, scenario.code, run.overall))

    run_finished.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            play(sims["SIM-01"], learner, "AAB")
    finally:
        run_finished.disconnect(listener)
    assert received == [(learner, "SIM-01", Decimal("89.31"))]
