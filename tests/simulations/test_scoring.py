"""Scores of hand-computed paths through the demo scenarios (domain.md §5(c)).

max_d per node is the highest points any choice of that node awards. Note: domain.md calls the
all-A paths of SIM-01 and SIM-02 "= 100", but its own tables give other choices more timeliness
points than A at SIM-01 N4 (B/C: TIM 3 vs A: 2) and SIM-02 N6 (B: TIM 3 vs A: 2), so by its
formula those ideal paths score 99.50 and 98.96. SIM-03's ideal path scores exactly 100.
"""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from assessments.simulations import graph

F = Fraction


def dims(run):
    return {k: Decimal(v) for k, v in run.dimension_scores.items()}


def q(value):
    return graph.as_decimal(F(value))


@pytest.mark.django_db
class TestSim01:
    def test_ideal_path(self, sims, learner, play):
        run = play(sims["SIM-01"], learner, "AAAAAAA")
        # TIM: (3+3+2+2+3+3+3) / (3+3+2+3+3+3+3) = 19/20
        assert dims(run) == {
            "LEG": Decimal("100.00"),
            "EMP": Decimal("100.00"),
            "PRO": Decimal("100.00"),
            "TIM": Decimal("95.00"),
            "SAF": Decimal("100.00"),
        }
        assert run.overall == Decimal("99.50")
        assert run.passed and run.grade == "excellent" and run.ending_key == "END-A"

    def test_mediation_ended_when_party_refuses(self, sims, learner, play):
        run = play(sims["SIM-01"], learner, "AAB")
        # N1 A, N2 A, N3 B → END-B. EMP 6/8, PRO 8/9, SAF 8/9.
        expected = F(25) + F(75, 4) + F(200, 9) + F(10) + F(40, 3)
        assert expected == F(3215, 36)
        assert run.overall == q(expected) == Decimal("89.31")
        assert run.ending_key == "END-B" and run.passed and run.grade == "excellent"

    def test_all_b_path_fails(self, sims, learner, play):
        run = play(sims["SIM-01"], learner, "BBDBBBB")
        # LEG 7/21, EMP 4/19, PRO 3/21, TIM 12/20, SAF 11/21
        expected = (
            F(25, 100) * (F(700, 21) + F(400, 19) + F(300, 21)) + 6 + F(15, 100) * F(1100, 21)
        )
        assert expected == F(12379, 399)
        assert run.overall == Decimal("31.03")
        assert dims(run)["EMP"] == Decimal("21.05")
        assert not run.passed and run.grade == "fail" and not run.red_line

    def test_oral_agreement_costs_points(self, sims, learner, play):
        run = play(sims["SIM-01"], learner, "AAAAABA")
        # N6 B: LEG 19/21, EMP 19/19, PRO 18/21, TIM 19/20, SAF 19/21
        expected = F(1210, 21) + F(69, 2)
        assert run.overall == q(expected) == Decimal("92.12")
        assert run.passed

    def test_red_line_fails_whatever_the_score(self, sims, learner, play):
        run = play(sims["SIM-01"], learner, "AAAAAD")  # N6 D: takes 200 yuan (R6)
        assert run.red_line and run.red_line_code == "R6"
        assert not run.passed and run.grade == "fail"
        assert run.ending_key == ""
        # Dimensions still report N1–N5 (TIM 13/14).
        assert dims(run)["TIM"] == q(F(1300, 14))

    def test_red_line_at_first_step_scores_nothing(self, sims, learner, play):
        run = play(sims["SIM-01"], learner, "D")
        assert run.red_line_code == "R1" and run.overall == Decimal("0.00") and not run.passed


@pytest.mark.django_db
class TestSim02:
    def test_ideal_path_and_three_rates(self, sims, learner, play):
        run = play(sims["SIM-02"], learner, "AAAAAAAA")
        # TIM 23/24 (N6 A gives 2 where B gives 3)
        assert run.overall == q(F(75) + F(2300, 96)) == Decimal("98.96")
        assert run.passed and run.grade == "excellent"
        assert run.flags == {"responded": True, "resolved": "resolved", "satisfied": "satisfied"}

    def test_objection_path_partly_resolved(self, sims, learner, play):
        run = play(sims["SIM-02"], learner, "DCAAABAB")
        # LEG 19/24, EMP 16/21, PRO 16/23, TIM 21/24, SAF 19/23
        expected = F(380, 24) + F(320, 21) + F(400, 23) + F(525, 24) + F(190, 23)
        assert run.overall == q(expected) == Decimal("78.60")
        assert run.passed and run.grade == "pass"
        assert run.flags == {"responded": True, "resolved": "partly", "satisfied": "unsatisfied"}

    def test_weak_path_fails(self, sims, learner, play):
        run = play(sims["SIM-02"], learner, "CCBCBCCB")
        expected = F(220, 24) + F(140, 21) + F(150, 23) + F(275, 24) + F(90, 23)
        assert run.overall == q(expected) == Decimal("37.73")
        assert not run.passed
        assert run.flags == {"responded": False, "resolved": "partly", "satisfied": "unsatisfied"}

    def test_resolved_but_only_basically_satisfied(self, sims, learner, play):
        run = play(sims["SIM-02"], learner, "ACACCAAB")
        # mean EMP = 13/8 → 基本满意; overall below 70
        expected = F(15) + F(260, 21) + F(525, 23) + F(50, 3)
        assert run.overall == q(expected) == Decimal("66.87")
        assert not run.passed and run.grade == "fail"
        assert run.flags == {"responded": True, "resolved": "resolved", "satisfied": "basically"}

    def test_false_resolution_is_a_red_line(self, sims, learner, play):
        run = play(sims["SIM-02"], learner, "AAAAAAB")
        assert run.red_line_code == "R10" and not run.passed
        assert run.flags["resolved"] == "unresolved"


@pytest.mark.django_db
class TestSim03:
    @pytest.mark.parametrize("variant", ["moan", "gas"])
    def test_ideal_path_scores_100(self, sims, learner, play, variant):
        run = play(sims["SIM-03"], learner, "AAAAAAA", variant=variant)
        assert run.overall == Decimal("100.00")
        assert run.passed and run.grade == "excellent"
        assert run.scenario_key == ("SIM-03" if variant == "moan" else "SIM-03:gas")
        nodes = list(run.steps.values_list("node_key", flat=True))
        assert nodes[2] == ("N3" if variant == "moan" else "N3G")

    def test_group_chat_and_open_door(self, sims, learner, play):
        run = play(sims["SIM-03"], learner, "DAAAAAC", variant="moan")
        expected = F(1495, 21) + F(70, 9)
        assert run.overall == q(expected) == Decimal("78.97")
        assert dims(run)["SAF"] == Decimal("71.43")
        assert run.passed and run.grade == "pass"

    def test_delayed_report(self, sims, learner, play):
        run = play(sims["SIM-03"], learner, "ABAAAAA", variant="moan")
        assert run.overall == q(F(1715, 21) + F(85, 9)) == Decimal("91.11")

    def test_gas_variant_unprotected_entry(self, sims, learner, play):
        run = play(sims["SIM-03"], learner, "AACAAAA", variant="gas")
        assert run.overall == q(F(1700, 21) + 10) == Decimal("90.95")
        assert dims(run)["SAF"] == q(F(1800, 21))

    def test_gas_doorbell_is_a_red_line(self, sims, learner, play):
        run = play(sims["SIM-03"], learner, "AAB", variant="gas")
        assert run.red_line_code == "R15" and not run.passed

    def test_late_decision_caps_timeliness(self, sims, learner, play):
        from assessments.simulations.services import choose

        run = play(sims["SIM-03"], learner, "AA", variant="moan")
        assert run.current_node == "N3"
        type(run).objects.filter(pk=run.pk).update(
            node_entered_at=run.node_entered_at - dt.timedelta(seconds=601)
        )
        run.refresh_from_db()
        choice = next(c for c in run.graph().choices["N3"] if c["label"] == "A")
        step = choose(run, choice["id"], acting_user=learner)
        assert step.late and step.points["TIM"] == 1 and step.elapsed_seconds >= 601
        run = play(sims["SIM-03"], learner, "AAAA", variant="moan")
        assert run.overall == q(100 - F(25, 100) * F(200, 21)) == Decimal("97.62")


def test_dimension_minimum_fails_a_high_overall():
    spec = {
        "code": "T",
        "pass_mark": 60,
        "dimensions": [
            {"key": "LEG", "weight": "0.9", "minimum": 50},
            {"key": "SAF", "weight": "0.1", "minimum": 70},
        ],
        "variants": [],
        "nodes": [{"key": "N1", "title": "", "variant": "", "replaces": ""}],
        "choices": [
            {"id": 1, "node": "N1", "label": "A", "target": "E", "points": {"LEG": 3, "SAF": 0}},
            {"id": 2, "node": "N1", "label": "B", "target": "E", "points": {"LEG": 2, "SAF": 3}},
        ],
        "endings": [{"key": "E", "title": ""}],
    }
    vgraph = graph.VariantGraph(spec)
    score = vgraph.score([("N1", {"LEG": 3, "SAF": 0})], red_line=False)
    assert score.overall == 90 and not score.passed and score.failed_minimums == ["SAF"]
    best, best_score = vgraph.best_path()
    assert [c["label"] for c in best.steps] == ["B"] and best_score.passed


@pytest.mark.django_db
def test_best_path_and_max_attainable(sims):
    vgraph = graph.VariantGraph(sims["SIM-01"].compile())
    best, score = vgraph.best_path()
    assert [c["label"] for c in best.steps] == list("AAAAAAA")
    assert score.overall == F(199, 2)
    assert vgraph.node_max("N4") == {"LEG": 3, "EMP": 3, "PRO": 3, "TIM": 3, "SAF": 3}
    assert vgraph.max_attainable()["LEG"] == 100
