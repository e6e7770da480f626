"""Learner pages (list, play, debrief), the admin graph, analytics, exports, and authoring."""

import io

import pytest
from openpyxl import load_workbook
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from assessments.simulations.models import Run, Scenario

pytestmark = pytest.mark.django_db


def test_list_requires_login(client, sims):
    response = client.get("/simulations/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_play_a_scenario_in_the_browser(client_for, learner, sims):
    client = client_for(learner)
    page = client.get("/simulations/")
    assert page.status_code == 200
    assert "SIM-03" in page.content.decode() and "燃气泄漏" in page.content.decode()
    response = client.post(f"/simulations/{sims['SIM-01'].pk}/start/")
    run = Run.objects.get(user=learner)
    assert response["Location"] == f"/simulations/runs/{run.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "王阿姨" in page and "你会怎么做" in page
    assert "R1" not in page and "LEG" not in page  # no red-line flags or points while playing
    for label in "AAAAAAA":
        run.refresh_from_db()
        choice = run.graph().choice(
            run.current_node,
            next(c["id"] for c in run.graph().choices[run.current_node] if c["label"] == label),
        )
        response = client.post(f"/simulations/runs/{run.pk}/choose/", {"choice": choice["id"]})
    assert response["Location"] == f"/simulations/runs/{run.pk}/result/"
    page = client.get(response["Location"]).content.decode()
    assert "99.50" in page and "优秀" in page
    assert "<svg" in page and "最佳路径" in page and "人民调解法第27、31条" in page
    # the finished run cannot be played any more: the play page forwards to the debrief
    assert client.get(f"/simulations/runs/{run.pk}/")["Location"].endswith("/result/")


def test_tampered_choice_in_the_form(client_for, learner, sims):
    client = client_for(learner)
    client.post(f"/simulations/{sims['SIM-01'].pk}/start/")
    run = Run.objects.get(user=learner)
    response = client.post(f"/simulations/runs/{run.pk}/choose/", {"choice": "999999"}, follow=True)
    assert "该选项不属于当前步骤" in response.content.decode()
    assert run.steps.count() == 0


def test_red_line_debrief_names_the_rule(client_for, learner, sims, play):
    run = play(sims["SIM-02"], learner, "AB")
    page = client_for(learner).get(f"/simulations/runs/{run.pk}/result/").content.decode()
    assert "触碰红线" in page and "R7" in page and "干预诉求" in page and "不合格" in page


def test_sim02_debrief_shows_three_rates(client_for, learner, sims, play):
    run = play(sims["SIM-02"], learner, "AAAAAAAA")
    page = client_for(learner).get(f"/simulations/runs/{run.pk}/result/").content.decode()
    assert "响应" in page and "已解决" in page and "满意" in page


def test_other_learner_cannot_open_my_run(client_for, learner, other_learner, sims, play):
    run = play(sims["SIM-01"], learner, "AA")
    client = client_for(other_learner)
    assert client.get(f"/simulations/runs/{run.pk}/").status_code == 404
    assert client.get(f"/simulations/runs/{run.pk}/result/").status_code == 404
    assert client.post(f"/simulations/runs/{run.pk}/choose/", {"choice": "1"}).status_code == 404


def test_home_panel_and_nav_link(client_for, learner, sims, play, site):
    play(sims["SIM-01"], learner, "AAB")
    page = client_for(learner).get("/").content.decode()
    assert "我的情景模拟" in page and "89.31" in page and 'href="/simulations/"' in page


def test_lesson_activity_kind_is_registered(rf, learner, sims):
    from courses.activities import activity_choices, render_activity

    assert ("simulation:SIM-03", "情景模拟：" + sims["SIM-03"].title) in activity_choices()
    request = rf.get("/")
    request.user = learner
    html = render_activity(request, "simulation:SIM-03")
    assert "燃气泄漏" in html and f"/simulations/{sims['SIM-03'].pk}/start/" in html
    assert "暂不可用" in render_activity(request, "simulation:SIM-99")


# --- admin -----------------------------------------------------------------------------------


def test_graph_view_for_trainer(client_for, trainer, sims):
    page = client_for(trainer).get(f"/admin/simulations/{sims['SIM-03'].pk}/graph/?variant=gas")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "N3G" in html and "R15" in html and 'class="edge best"' in html
    assert "N1A → N2A → N3GA" in html


def test_graph_view_denied_to_learner_and_hr(client_for, learner, hr_street_a, sims):
    url = f"/admin/simulations/{sims['SIM-01'].pk}/graph/"
    assert client_for(learner).get(url).status_code in (302, 403)
    assert client_for(hr_street_a).get(url).status_code in (302, 403)


def test_analytics_scoped_to_jurisdiction(
    client_for, learner, other_learner, sims, play, org, django_assert_max_num_queries
):
    from people.factories import UserFactory
    from people.roles import TRAINER

    play(sims["SIM-01"], learner, "AAAAAAA")
    play(sims["SIM-01"], learner, "AAAAAD")
    play(sims["SIM-01"], other_learner, "BBDBBBB")
    play(sims["SIM-01"], other_learner, "AC")
    street_a_trainer = UserFactory(username="t-a", roles=[TRAINER], jurisdiction=org.street_a)
    district_trainer = UserFactory(username="t-d", roles=[TRAINER], jurisdiction=org.district)
    url = f"/admin/simulations/{sims['SIM-01'].pk}/analytics/"
    client = client_for(district_trainer)
    with django_assert_max_num_queries(40):
        html = client.get(url).content.decode()
    assert "共完成 4 次演练" in html and "R2" in html and "R6" in html
    assert "柳岸社区" in html and "枫林社区" in html
    html = client_for(street_a_trainer).get(url).content.decode()
    assert "共完成 2 次演练" in html and "枫林社区" not in html


def test_analytics_denied_without_permission(client_for, hr_street_a, learner, sims):
    url = f"/admin/simulations/{sims['SIM-01'].pk}/analytics/"
    assert client_for(hr_street_a).get(url).status_code in (302, 403)
    assert client_for(learner).get(url).status_code in (302, 403)


def test_exports(client_for, trainer, learner, sims, play):
    play(sims["SIM-01"], learner, "AAB")
    client = client_for(trainer)
    url = f"/admin/simulations/{sims['SIM-01'].pk}/analytics/"
    csv_text = client.get(url + "?export=csv").content.decode("utf-8-sig")
    assert "陈思远" in csv_text and "89.31" in csv_text and "N1A N2A N3B" in csv_text
    book = load_workbook(io.BytesIO(client.get(url + "?export=xlsx").content))
    rows = list(book.active.values)
    assert rows[1][0] == "SIM-01" and rows[1][5] == pytest.approx(89.31)


def _edit_data(scenario, **changes):
    def rows(children, fields):
        return [
            {**{f: getattr(c, f) if getattr(c, f) is not None else "" for f in fields}, "id": c.pk}
            for c in children
        ]

    data = {
        "code": scenario.code,
        "title": scenario.title,
        "scenario_type": scenario.scenario_type,
        "tier": scenario.tier,
        "setup": scenario.setup,
        "pass_mark": scenario.pass_mark,
        "timeliness_dimension": scenario.timeliness_dimension,
        "flag_rule": scenario.flag_rule,
        "dimensions": inline_formset(
            rows(scenario.dimensions.all(), ["key", "name", "weight", "minimum"])
        ),
        "variants": inline_formset(rows(scenario.variants.all(), ["key", "name", "is_default"])),
        "nodes": inline_formset(
            rows(
                scenario.nodes.all(),
                ["key", "title", "situation", "variant", "replaces", "time_limit_seconds"],
            )
        ),
        "choices": inline_formset(
            rows(
                scenario.choices.all(),
                [
                    "node_key",
                    "label",
                    "text",
                    "target_key",
                    "points",
                    "is_red_line",
                    "red_line_code",
                    "red_line_explanation",
                    "legal_basis",
                    "feedback",
                ],
            )
        ),
        "endings": inline_formset(rows(scenario.endings.all(), ["key", "title", "outcome"])),
    }
    data.update(changes)
    form = nested_form_data(data)
    return {k: v for k, v in form.items() if v is not False}


def test_admin_edit_refuses_a_broken_graph(client_for, trainer, sims):
    scenario = sims["SIM-01"]
    client = client_for(trainer)
    url = f"/admin/snippets/simulations/scenario/edit/{scenario.pk}/"
    assert client.get(url).status_code == 200
    data = _edit_data(scenario)
    index = next(
        i for i, c in enumerate(scenario.choices.all()) if c.node_key == "N2" and c.label == "A"
    )
    data[f"choices-{index}-target_key"] = "N9"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "既不是节点也不是结局" in response.content.decode()
    assert (
        Scenario.objects.get(pk=scenario.pk).choices.get(node_key="N2", label="A").target_key
        == "N3"
    )


def test_admin_edit_saves_a_valid_draft(client_for, trainer, sims):
    scenario = sims["SIM-01"]
    url = f"/admin/snippets/simulations/scenario/edit/{scenario.pk}/"
    response = client_for(trainer).post(url, _edit_data(scenario, title="楼上漏水（修订）"))
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.has_unpublished_changes and scenario.title != "楼上漏水（修订）"
    assert scenario.get_latest_revision_as_object().title == "楼上漏水（修订）"


def test_learner_cannot_author(client_for, learner, sims):
    url = f"/admin/snippets/simulations/scenario/edit/{sims['SIM-01'].pk}/"
    assert client_for(learner).get(url).status_code in (302, 403)


def test_list_page_query_count(client_for, learner, sims, play, django_assert_max_num_queries):
    play(sims["SIM-01"], learner, "AAB")
    play(sims["SIM-03"], learner, "AA", variant="gas")
    client = client_for(learner)
    with django_assert_max_num_queries(14):
        page = client.get("/simulations/")
    assert "继续演练" in page.content.decode() and "89.31" in page.content.decode()
