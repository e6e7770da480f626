"""The JSON API: start/resume, current node without scores, choose (400/409), result, 404s."""

import pytest

from assessments.simulations.models import Run, Step

pytestmark = pytest.mark.django_db


def start(client, scenario, variant=None):
    body = {"variant": variant} if variant else {}
    return client.post(
        f"/api/v1/simulations/{scenario.pk}/runs/", body, content_type="application/json"
    )


def choice_id(run_json, label):
    return next(c["id"] for c in run_json["node"]["choices"] if c["label"] == label)


def test_anonymous_is_refused(client, sims):
    assert client.get("/api/v1/simulations/").status_code in (401, 403)
    assert start(client, sims["SIM-01"]).status_code in (401, 403)


def test_list_shows_best_result_per_variant(
    client_for, learner, sims, play, django_assert_max_num_queries
):
    play(sims["SIM-03"], learner, "AAB", variant="gas")
    play(sims["SIM-03"], learner, "AAAAAAA", variant="gas")
    play(sims["SIM-01"], learner, "AAA")  # unfinished: N4 open
    client = client_for(learner)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/simulations/")
    assert response.status_code == 200
    data = {s["code"]: s for s in response.json()}
    assert set(data) == {"SIM-01", "SIM-02", "SIM-03"}
    variants = {v["key"]: v for v in data["SIM-03"]["variants"]}
    assert variants["gas"]["scenario_key"] == "SIM-03:gas"
    assert variants["gas"]["best_result"]["overall"] == "100.00"
    assert variants["gas"]["best_result"]["passed"] is True
    assert variants["moan"]["best_result"] is None
    assert data["SIM-01"]["variants"][0]["open_run"] is not None


def test_unpublished_scenario_is_not_open(client_for, learner, sims):
    sims["SIM-02"].unpublish()
    client = client_for(learner)
    codes = [s["code"] for s in client.get("/api/v1/simulations/").json()]
    assert "SIM-02" not in codes
    assert start(client, sims["SIM-02"]).status_code == 404


def test_start_resume_and_current_node_hides_scores(client_for, learner, sims):
    client = client_for(learner)
    first = start(client, sims["SIM-01"])
    assert first.status_code == 201
    data = first.json()
    assert data["node"]["key"] == "N1"
    assert [c["label"] for c in data["node"]["choices"]] == ["A", "B", "C", "D"]
    flat = str(data)
    for secret in ("points", "red_line", "target", "feedback", "R1"):
        assert secret not in flat
    again = start(client, sims["SIM-01"])  # resume after a disconnect
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert client.get(f"/api/v1/runs/{data['id']}/").json()["node"]["key"] == "N1"


def test_unknown_variant_is_400(client_for, learner, sims):
    response = start(client_for(learner), sims["SIM-03"], variant="fire")
    assert response.status_code == 400 and "fire" in response.json()["detail"]


def test_play_to_the_end_and_read_the_result(client_for, learner, sims):
    client = client_for(learner)
    run = start(client, sims["SIM-03"], variant="gas").json()
    for _ in range(7):
        run = client.post(
            f"/api/v1/runs/{run['id']}/choose/",
            {"choice": choice_id(run, "A")},
            content_type="application/json",
        ).json()
    assert run["status"] == "finished" and run["node"] is None
    result = client.get(f"/api/v1/runs/{run['id']}/result/").json()
    assert result["overall"] == "100.00" and result["passed"] is True
    assert result["grade"] == "excellent"
    assert [s["node"] for s in result["steps"]][2] == "N3G"
    assert [s["label"] for s in result["best_path"]] == list("AAAAAAA")
    assert result["steps"][2]["legal_basis"].startswith("城镇燃气管理条例")


def test_tampered_choice_ids_are_refused(client_for, learner, sims):
    client = client_for(learner)
    run = start(client, sims["SIM-01"]).json()
    url = f"/api/v1/runs/{run['id']}/choose/"
    sim2 = start(client, sims["SIM-02"]).json()
    other_scenario_choice = sim2["node"]["choices"][0]["id"]
    n2_choice = sims["SIM-01"].choices.get(node_key="N2", label="A").pk
    for bad in (other_scenario_choice, n2_choice, 999999, "A", None):
        response = client.post(url, {"choice": bad}, content_type="application/json")
        assert response.status_code == 400, bad
        assert response.json()["detail"]
    assert Step.objects.filter(run_id=run["id"]).count() == 0
    assert client.get(f"/api/v1/runs/{run['id']}/").json()["node"]["key"] == "N1"


def test_no_going_back_and_finished_run_is_409(client_for, learner, sims):
    client = client_for(learner)
    run = start(client, sims["SIM-01"]).json()
    url = f"/api/v1/runs/{run['id']}/choose/"
    a = choice_id(run, "A")
    assert client.post(url, {"choice": a}, content_type="application/json").status_code == 200
    # the same N1 choice again (going back / double submit) is not in the current node
    assert client.post(url, {"choice": a}, content_type="application/json").status_code == 400
    red = sims["SIM-01"].choices.get(node_key="N2", label="D").pk  # R3
    assert client.post(url, {"choice": red}, content_type="application/json").status_code == 200
    finished = Run.objects.get(pk=run["id"])
    assert finished.is_finished and finished.red_line_code == "R3"
    n3 = sims["SIM-01"].choices.get(node_key="N3", label="A").pk
    response = client.post(url, {"choice": n3}, content_type="application/json")
    assert response.status_code == 409
    assert Step.objects.filter(run=finished).count() == 2
    result = client.get(f"/api/v1/runs/{run['id']}/result/").json()
    assert result["passed"] is False and result["red_line_rule"]["code"] == "R3"
    assert "隐私" in result["red_line_rule"]["rule"]


def test_result_of_unfinished_run_is_409(client_for, learner, sims):
    client = client_for(learner)
    run = start(client, sims["SIM-01"]).json()
    assert client.get(f"/api/v1/runs/{run['id']}/result/").status_code == 409


@pytest.mark.parametrize("persona", ["other_learner", "trainer", "admin"])
def test_another_persons_run_is_404(request, client_for, learner, sims, persona):
    run = start(client_for(learner), sims["SIM-01"]).json()
    client = client_for(request.getfixturevalue(persona))
    a = run["node"]["choices"][0]["id"]
    assert client.get(f"/api/v1/runs/{run['id']}/").status_code == 404
    assert client.get(f"/api/v1/runs/{run['id']}/result/").status_code == 404
    assert (
        client.post(
            f"/api/v1/runs/{run['id']}/choose/", {"choice": a}, content_type="application/json"
        ).status_code
        == 404
    )
    assert Step.objects.count() == 0


def test_schema_documents_the_endpoints(client_for, admin):
    schema = client_for(admin).get("/api/v1/schema/?format=json").json()
    for path in (
        "/api/v1/simulations/",
        "/api/v1/simulations/{sim_id}/runs/",
        "/api/v1/runs/{run_id}/",
        "/api/v1/runs/{run_id}/choose/",
        "/api/v1/runs/{run_id}/result/",
    ):
        assert path in schema["paths"], path
    assert "409" in schema["paths"]["/api/v1/runs/{run_id}/choose/"]["post"]["responses"]
