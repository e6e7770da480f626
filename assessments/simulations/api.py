"""JSON API for playing simulations (issue 6 §5). A learner only ever sees their own runs."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .access import get_run_for, get_scenario_for_play
from .debrief import current_step, debrief
from .services import Conflict, InvalidChoice, RunFinished, SimulationError, choose, start_run
from .views import scenario_cards

TAG = ["simulations"]


class ResultSummarySerializer(serializers.Serializer):
    run = serializers.IntegerField()
    overall = serializers.DecimalField(max_digits=5, decimal_places=2)
    passed = serializers.BooleanField()
    grade = serializers.CharField()
    red_line = serializers.BooleanField()


class VariantSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Variant key; empty when the scenario has none.")
    name = serializers.CharField()
    scenario_key = serializers.CharField(help_text="e.g. SIM-03 or SIM-03:gas")
    best_result = ResultSummarySerializer(allow_null=True)
    open_run = serializers.IntegerField(allow_null=True, help_text="Run to resume, if any.")


class SimulationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    scenario_type = serializers.CharField()
    tier = serializers.CharField()
    pass_mark = serializers.IntegerField()
    variants = VariantSerializer(many=True)


class ChoiceOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    text = serializers.CharField()


class NodeSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    situation = serializers.CharField()
    image_id = serializers.IntegerField(allow_null=True)
    time_limit_seconds = serializers.IntegerField(allow_null=True)
    entered_at = serializers.DateTimeField()
    choices = ChoiceOptionSerializer(many=True)


class ScenarioRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()


class RunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    scenario = ScenarioRefSerializer()
    variant = serializers.CharField()
    variant_name = serializers.CharField()
    setup = serializers.CharField()
    status = serializers.ChoiceField(choices=["in_progress", "finished"])
    started_at = serializers.DateTimeField()
    steps_taken = serializers.IntegerField()
    node = NodeSerializer(allow_null=True, help_text="The current node; null once finished.")


class StepResultSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    node = serializers.CharField()
    node_title = serializers.CharField()
    choice = serializers.IntegerField()
    label = serializers.CharField()
    text = serializers.CharField()
    points = serializers.DictField(child=serializers.IntegerField(), allow_null=True)
    max_points = serializers.DictField(child=serializers.IntegerField())
    feedback = serializers.CharField()
    legal_basis = serializers.CharField()
    red_line = serializers.BooleanField()
    late = serializers.BooleanField()
    elapsed_seconds = serializers.IntegerField()
    chosen_at = serializers.DateTimeField()


class BestStepSerializer(serializers.Serializer):
    node = serializers.CharField()
    node_title = serializers.CharField()
    label = serializers.CharField()
    text = serializers.CharField()


class DimensionResultSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    weight = serializers.CharField()
    minimum = serializers.IntegerField()
    score = serializers.CharField()


class RedLineSerializer(serializers.Serializer):
    code = serializers.CharField()
    rule = serializers.CharField()
    legal_basis = serializers.CharField()
    choice = serializers.CharField()


class EndingSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    outcome = serializers.CharField()


class FlagsSerializer(serializers.Serializer):
    responded = serializers.BooleanField()
    resolved = serializers.CharField()
    resolved_label = serializers.CharField()
    satisfied = serializers.CharField()
    satisfied_label = serializers.CharField()


class ResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    scenario = ScenarioRefSerializer()
    scenario_key = serializers.CharField()
    variant = serializers.CharField()
    variant_name = serializers.CharField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField()
    overall = serializers.DecimalField(max_digits=5, decimal_places=2)
    pass_mark = serializers.IntegerField()
    passed = serializers.BooleanField()
    grade = serializers.CharField()
    grade_label = serializers.CharField()
    red_line = serializers.BooleanField()
    red_line_rule = RedLineSerializer(allow_null=True)
    ending = EndingSerializer(allow_null=True)
    dimensions = DimensionResultSerializer(many=True)
    flags = FlagsSerializer(allow_null=True, help_text="SIM-02: 12345 响应/解决/满意")
    steps = StepResultSerializer(many=True)
    best_path = BestStepSerializer(many=True)
    best_overall = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class StartRunSerializer(serializers.Serializer):
    variant = serializers.CharField(required=False, allow_blank=True)


class ChooseSerializer(serializers.Serializer):
    choice = serializers.IntegerField(help_text="Id of one of the current node's choices.")


Detail = inline_serializer("Detail", {"detail": serializers.CharField()})


def _summary(run):
    if run is None:
        return None
    return {
        "run": run.pk,
        "overall": run.overall,
        "passed": bool(run.passed),
        "grade": run.grade,
        "red_line": run.red_line,
    }


class SimulationListView(APIView):
    @extend_schema(
        tags=TAG,
        summary="Scenarios open to me, with my best result per variant",
        responses=SimulationSerializer(many=True),
    )
    def get(self, request):
        data = []
        for card in scenario_cards(request.user):
            scenario = card["scenario"]
            keys = [v["key"] for v in card["variants"]]
            defaults = [v.key for v in scenario.variants.all() if v.is_default]
            default = defaults[0] if defaults else keys[0]
            data.append(
                {
                    "id": scenario.pk,
                    "code": scenario.code,
                    "title": scenario.title,
                    "scenario_type": scenario.scenario_type,
                    "tier": scenario.tier,
                    "pass_mark": scenario.pass_mark,
                    "variants": [
                        {
                            "key": v["key"],
                            "name": v["name"],
                            "scenario_key": scenario.code
                            if v["key"] in ("", default)
                            else f"{scenario.code}:{v['key']}",
                            "best_result": _summary(v["best"]),
                            "open_run": v["open_run"].pk if v["open_run"] else None,
                        }
                        for v in card["variants"]
                    ],
                }
            )
        return Response(SimulationSerializer(data, many=True).data)


class StartRunView(APIView):
    @extend_schema(
        tags=TAG,
        summary="Start a run, or resume my open run of this scenario variant",
        request=StartRunSerializer,
        responses={
            201: RunSerializer,
            200: RunSerializer,
            400: OpenApiResponse(Detail, description="Unknown variant or scenario not playable"),
            404: OpenApiResponse(Detail),
        },
    )
    def post(self, request, sim_id: int):
        scenario = get_scenario_for_play(request.user, sim_id)
        body = StartRunSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        try:
            run, created = start_run(
                scenario,
                variant=body.validated_data.get("variant") or None,
                acting_user=request.user,
            )
        except SimulationError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            RunSerializer(current_step(run)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class RunDetailView(APIView):
    @extend_schema(
        tags=TAG,
        summary="My run: the current node and its choices (no scores, no red-line flags)",
        responses={200: RunSerializer, 404: OpenApiResponse(Detail)},
    )
    def get(self, request, run_id: int):
        run = get_run_for(request.user, run_id)
        return Response(RunSerializer(current_step(run)).data)


class ChooseView(APIView):
    @extend_schema(
        tags=TAG,
        summary="Answer the current node",
        request=ChooseSerializer,
        responses={
            200: RunSerializer,
            400: OpenApiResponse(Detail, description="The choice is not in the current node"),
            404: OpenApiResponse(Detail),
            409: OpenApiResponse(Detail, description="The run has finished (or a race lost)"),
        },
    )
    def post(self, request, run_id: int):
        run = get_run_for(request.user, run_id)
        if run.is_finished:
            return Response(
                {"detail": _("This run has finished and cannot be changed.")},
                status=status.HTTP_409_CONFLICT,
            )
        body = ChooseSerializer(data=request.data if isinstance(request.data, dict) else {})
        if not body.is_valid():
            return Response(
                {"detail": _('Send the id of one of the current choices as {"choice": id}.')},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            step = choose(run, body.validated_data["choice"], acting_user=request.user)
        except InvalidChoice as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        except (RunFinished, Conflict) as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        # choose() left ``run`` as written; the step just recorded is the last one.
        return Response(RunSerializer(current_step(run, steps_taken=step.seq)).data)


class RunResultView(APIView):
    @extend_schema(
        tags=TAG,
        summary="The debrief of my finished run",
        responses={
            200: ResultSerializer,
            404: OpenApiResponse(Detail),
            409: OpenApiResponse(Detail, description="The run is still in progress"),
        },
    )
    def get(self, request, run_id: int):
        run = get_run_for(request.user, run_id)
        if not run.is_finished:
            return Response(
                {"detail": _("The run is still in progress; finish it to see the result.")},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(ResultSerializer(debrief(run)).data)
