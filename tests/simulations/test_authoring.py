"""Creating a scenario in the admin: the five default dimensions, then a valid minimal graph."""

import re

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from assessments.simulations.models import Scenario

pytestmark = pytest.mark.django_db

ADD = "/admin/snippets/simulations/scenario/add/"


def test_new_scenario_starts_with_the_five_dimensions(client_for, trainer):
    html = client_for(trainer).get(ADD).content.decode()
    for name in ("依法依规", "情理沟通", "程序规范", "时效", "安全"):
        assert f'value="{name}"' in html
    assert re.search(
        r'name="dimensions-INITIAL_FORMS"[^>]*value="5"|value="5"[^>]*name="dimensions-INITIAL_FORMS"',
        html,
    )


def _data(**changes):
    dims = [
        {"id": "", "key": k, "name": n, "weight": "0.2", "minimum": 50}
        for k, n in [
            ("LEG", "依法依规"),
            ("EMP", "情理沟通"),
            ("PRO", "程序规范"),
            ("TIM", "时效"),
            ("SAF", "安全"),
        ]
    ]
    data = {
        "code": "SIM-09",
        "title": "楼道堆物劝导",
        "scenario_type": "patrol",
        "tier": "T0",
        "setup": "巡查发现楼道堆满纸箱。",
        "pass_mark": 60,
        "timeliness_dimension": "TIM",
        "flag_rule": "",
        # as the browser posts it after the GET above: five initial forms without ids
        "dimensions": inline_formset(dims, initial=5),
        "variants": inline_formset([]),
        "nodes": inline_formset(
            [
                {
                    "key": "N1",
                    "title": "发现",
                    "situation": "纸箱堵住了安全出口。",
                    "variant": "",
                    "replaces": "",
                    "time_limit_seconds": "",
                }
            ]
        ),
        "choices": inline_formset(
            [
                {
                    "node_key": "N1",
                    "label": "A",
                    "text": "拍照上报并入户劝导",
                    "target_key": "END",
                    "points": "LEG 3, EMP 3, PRO 3, TIM 3, SAF 3",
                    "red_line_code": "",
                    "red_line_explanation": "",
                    "legal_basis": "消防法第28条",
                    "feedback": "",
                },
                {
                    "node_key": "N1",
                    "label": "B",
                    "text": "视而不见",
                    "target_key": "END",
                    "points": "LEG 0, EMP 0, PRO 0, TIM 0, SAF 0",
                    "red_line_code": "",
                    "red_line_explanation": "",
                    "legal_basis": "",
                    "feedback": "",
                },
            ]
        ),
        "endings": inline_formset([{"key": "END", "title": "结束", "outcome": "通道畅通。"}]),
    }
    data.update(changes)
    return nested_form_data(data)


def test_trainer_creates_a_scenario(client_for, trainer):
    response = client_for(trainer).post(ADD, _data())
    assert response.status_code == 302, response.content.decode()[:3000]
    scenario = Scenario.objects.get(code="SIM-09")
    assert scenario.dimensions.count() == 5 and scenario.choices.count() == 2
    assert not scenario.live


def test_a_choice_leading_nowhere_is_refused(client_for, trainer):
    data = _data()
    data["choices-1-target_key"] = ""
    response = client_for(trainer).post(ADD, data)
    assert response.status_code == 200
    assert "无处可去" in response.content.decode()
    assert not Scenario.objects.filter(code="SIM-09").exists()


def test_learner_cannot_create(client_for, learner):
    assert client_for(learner).get(ADD).status_code in (302, 403)
