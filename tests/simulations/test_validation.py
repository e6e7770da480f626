"""Broken graphs are refused with messages an author understands."""

import copy

import pytest
from django.utils import translation

from assessments.simulations import graph
from assessments.simulations.scenarios import SIM_01, SIM_03, build


@pytest.fixture
def spec():
    return build(copy.deepcopy(SIM_01)).compile()


def errors_of(spec):
    with translation.override("zh-hans"):
        return graph.validate_spec(spec)


def choice(spec, node, label):
    return next(c for c in spec["choices"] if c["node"] == node and c["label"] == label)


def test_demo_scenarios_are_valid():
    assert errors_of(build(copy.deepcopy(SIM_01)).compile()) == []
    assert errors_of(build(copy.deepcopy(SIM_03)).compile()) == []


def test_target_that_does_not_exist(spec):
    choice(spec, "N2", "A")["target"] = "N9"
    errors = errors_of(spec)
    assert any("N9" in e and "N2" in e and "既不是节点也不是结局" in e for e in errors), errors


def test_unreachable_node(spec):
    choice(spec, "N6", "A")["target"] = "END-A"
    choice(spec, "N6", "B")["target"] = "END-A"
    errors = errors_of(spec)
    assert any("N7" in e and "起始节点" in e for e in errors), errors


def test_node_without_choices_is_a_dead_end(spec):
    spec["choices"] = [c for c in spec["choices"] if c["node"] != "N7"]
    errors = errors_of(spec)
    assert any("N7" in e and "没有选项" in e for e in errors), errors


def test_cycle(spec):
    choice(spec, "N5", "C")["target"] = "N4"
    errors = errors_of(spec)
    assert any("N4 → N5 → N4" in e and "循环" in e for e in errors), errors


def test_no_passing_path(spec):
    spec["pass_mark"] = 100
    errors = errors_of(spec)
    assert any("没有任何一条路径能够通过" in e for e in errors), errors


def test_red_line_must_end_the_run(spec):
    choice(spec, "N1", "D")["target"] = "N2"
    choice(spec, "N2", "C")["red_line_explanation"] = ""
    errors = errors_of(spec)
    assert any("N1" in e and "红线" in e and "下一步" in e for e in errors), errors
    assert any("N2" in e and "说明所违反的规则" in e for e in errors), errors


def test_choice_leading_nowhere_and_bad_points(spec):
    choice(spec, "N3", "D")["target"] = ""
    choice(spec, "N4", "A")["points"] = {"LEG": 5, "XYZ": 1}
    errors = errors_of(spec)
    assert any("N3" in e and "无处可去" in e for e in errors), errors
    assert any("0 到 3" in e for e in errors), errors
    assert any("XYZ" in e for e in errors), errors


def test_weights_must_add_up(spec):
    spec["dimensions"][0]["weight"] = "0.5"
    errors = errors_of(spec)
    assert any("1.250" in e for e in errors), errors


def test_variant_specific_checks():
    data = copy.deepcopy(SIM_03)
    spec = build(data).compile()
    next(n for n in spec["nodes"] if n["key"] == "N3G")["replaces"] = ""
    errors = errors_of(spec)
    # without the substitution the gas variant never reaches N3G
    assert any("燃气泄漏" in e and "N3G" in e for e in errors), errors


def test_points_parser():
    assert graph.parse_points("LEG 3, EMP 2，PRO:1 TIM=0") == {
        "LEG": 3,
        "EMP": 2,
        "PRO": 1,
        "TIM": 0,
    }
    with pytest.raises(ValueError):
        graph.parse_points("three points")
