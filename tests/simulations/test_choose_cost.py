"""Choosing is cheap and constant: one lock, one count, one step, one update, one audit entry.

The page benchmark (bench/pages.py) measured 20 queries per choice; the guarantees (the choice
must be one of the current node's, one step per choice, finished runs immutable) are pinned in
test_api.py and test_services.py.
"""

import pytest
from django.test.utils import CaptureQueriesContext

from assessments.simulations.models import Run, Step

pytestmark = pytest.mark.django_db

# session, user, 2 permission loads (admin idle-timeout middleware), the run, the locked run,
# the step count, the step, the run update, the audit entry with its 2 validation reads, and the
# transaction statements (13 on the benchmark's SQLite file; was 20).
CHOOSE_QUERIES = 14


def _choose(client, run):
    choice = run["node"]["choices"][0]["id"]
    return client.post(
        f"/api/v1/runs/{run['id']}/choose/", {"choice": choice}, content_type="application/json"
    )


def test_choose_costs_the_same_at_every_step(client_for, learner, sims):
    from django.db import connection

    client = client_for(learner)
    run = client.post(
        f"/api/v1/simulations/{sims['SIM-01'].pk}/runs/", {}, content_type="application/json"
    ).json()
    counts = []
    for expected_steps in (1, 2, 3):
        with CaptureQueriesContext(connection) as ctx:
            response = _choose(client, run)
        assert response.status_code == 200
        run = response.json()
        assert run["status"] == "in_progress"
        assert run["steps_taken"] == expected_steps
        assert run["steps_taken"] == Step.objects.filter(run_id=run["id"]).count()
        counts.append(len(ctx))
    assert counts[0] <= CHOOSE_QUERIES
    assert counts == [counts[0]] * 3


def test_choose_answer_matches_a_fresh_read(client_for, learner, sims):
    """The response is built from what choose() wrote, not re-read: it must equal a fresh GET."""
    client = client_for(learner)
    run = client.post(
        f"/api/v1/simulations/{sims['SIM-01'].pk}/runs/", {}, content_type="application/json"
    ).json()
    while run["node"] is not None:
        run = _choose(client, run).json()
        fresh = client.get(f"/api/v1/runs/{run['id']}/").json()
        assert run == fresh
    assert Run.objects.get(pk=run["id"]).is_finished
