"""Fuzzing: malformed, oversized and unexpected input to forms, services and the API.

Properties: nothing answers 500 (or raises anything but the service's own refusal), and a
refused input writes nothing (no partial writes). Hypothesis example counts are kept small so
the whole module runs in well under a minute or two; raise ``GA_FUZZ_EXAMPLES`` locally to dig.
"""

from __future__ import annotations

import csv
import io
import json
import os
from urllib.parse import urlencode

import pytest
import schemathesis
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core import NOT_SET

from people.importing import COLUMNS
from people.models import WorkerProfile

from .world import World

EXAMPLES = int(os.environ.get("GA_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text a grid worker would never type, but an attacker or a broken spreadsheet might send.
nasty_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            " ",
            "'; DROP TABLE people_user; --",
            "<script>alert(1)</script>",
            '=HYPERLINK("http://evil")',
            "\x00",
            "１２３",
            "9" * 40,
            "柳" * 5000,
            "%s%s%n",
            "../../etc/passwd",
            "NaN",
            "-1",
            "1e309",
        ]
    ),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | nasty_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture(autouse=True)
def _no_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(org, site, learner, other_learner, trainer, hr_district, district_admin):
    return World(
        org,
        {
            "learner": learner,
            "other_learner": other_learner,
            "trainer": trainer,
            "hr_district": hr_district,
            "district_admin": district_admin,
        },
        site,
    )


# --- roster import ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_roster_import_never_crashes_and_a_bad_file_imports_nothing(district_admin, org):
    from people.services import import_workers

    rows = st.lists(st.lists(nasty_text, min_size=0, max_size=len(COLUMNS) + 2), max_size=6)

    @FUZZ
    @given(rows=rows, keep_header=st.booleans(), fmt=st.sampled_from(["csv", "xlsx", "txt"]))
    def run(rows, keep_header, fmt):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        if keep_header:
            writer.writerow(COLUMNS)
        writer.writerows(rows)
        data = buffer.getvalue().encode("utf-8")
        before = WorkerProfile.objects.count()
        report = import_workers(data, f"roster.{fmt}", acting_user=district_admin)
        if not report.ok:
            assert WorkerProfile.objects.count() == before
            assert report.file_error or report.problems

    run()


@pytest.mark.django_db
def test_roster_upload_form_answers_every_file_without_500(client_for, district_admin):
    client = client_for(district_admin)

    @FUZZ
    @given(content=st.binary(max_size=2000), name=nasty_text)
    def run(content, name):
        before = WorkerProfile.objects.count()
        upload = io.BytesIO(content)
        upload.name = (name or "x")[:80] + ".csv"
        response = client.post("/admin/people/import/", {"file": upload})
        assert response.status_code < 500
        assert WorkerProfile.objects.count() == before

    run()


# --- exam answers -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_any_answer_is_saved_or_refused_never_half_written(world, learner):
    from assessments import services

    attempt = world.attempts["a"]
    items = list(attempt.items.all())

    @FUZZ
    @given(index=st.integers(0, len(items) - 1), answer=json_values, seq=st.integers(-5, 10**12))
    def run(index, answer, seq):
        item = items[index]
        item.refresh_from_db()
        before = (item.answer, item.seq)
        try:
            services.save_answer(attempt, item.question_id, answer, seq, acting_user=learner)
        except services.AssessmentError:
            item.refresh_from_db()
            assert (item.answer, item.seq) == before

    run()


@pytest.mark.django_db
def test_answer_api_rejects_malformed_bodies_cleanly(world, client_for, learner):
    attempt = world.attempts["a"]
    item = attempt.items.order_by("position").first()
    url = f"/api/v1/attempts/{attempt.pk}/answers/{item.question_id}/"
    client = client_for(learner)

    @FUZZ
    @given(body=st.one_of(json_values, st.binary(max_size=200)))
    def run(body):
        cache.clear()
        item.refresh_from_db()
        before = (item.answer, item.seq)
        payload = body if isinstance(body, bytes) else json.dumps(body)
        response = client.put(url, payload, content_type="application/json")
        assert response.status_code < 500, response.content[:300]
        if response.status_code != 200:
            item.refresh_from_db()
            assert (item.answer, item.seq) == before

    run()


# --- simulation choices -------------------------------------------------------------------------


@pytest.mark.django_db
def test_simulation_choices_outside_the_graph_are_refused_without_a_step(
    world, client_for, learner
):
    run_ = world.runs["a"]
    client = client_for(learner)

    @FUZZ
    @given(body=json_values, form=st.booleans())
    def run(body, form):
        cache.clear()
        steps = run_.steps.count()
        if form:
            data = body if isinstance(body, dict) else {"choice": body}
            data = {str(k): json.dumps(v) for k, v in data.items()}
            response = client.post(f"/simulations/runs/{run_.pk}/choose/", data)
        else:
            response = client.post(
                f"/api/v1/runs/{run_.pk}/choose/", json.dumps(body), content_type="application/json"
            )
        assert response.status_code < 500, response.content[:300]
        if response.status_code >= 400:
            assert run_.steps.count() == steps

    run()


# --- search and listing queries -----------------------------------------------------------------


@pytest.mark.django_db
def test_search_and_filter_queries_never_crash(world, client_for, learner, hr_district):
    case = world.case
    library = case.get_parent().url
    pages = [
        (learner, library),
        (learner, "/exams/"),
        (learner, "/simulations/"),
        (learner, "/sessions/"),
        (learner, "/learn/mine/"),
        (learner, "/verify/"),
        (hr_district, "/learn/cohort/"),
        (hr_district, "/admin/hr/records/"),
    ]
    # "law" and "year" (numeric facets of the case library) are pinned separately below.
    keys = st.sampled_from(
        ["q", "page", "scenario", "tag", "org", "level", "org_unit", "status", "sort", "code"]
    )

    @FUZZ
    @given(
        which=st.integers(0, len(pages) - 1),
        params=st.lists(st.tuples(keys, nasty_text), max_size=4),
    )
    def run(which, params):
        cache.clear()
        user, path = pages[which]
        client = Client()
        client.force_login(user)
        response = client.get(f"{path}?{urlencode(params)}")
        assert response.status_code < 500, (path, params)

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("facet", ["law", "year"])
def test_case_library_numeric_facets_refuse_oversized_numbers(world, client_for, learner, facet):
    library = world.case.get_parent().url
    client = client_for(learner)
    client.raise_request_exception = False
    response = client.get(library, {facet: "9" * 40})
    assert response.status_code < 500


# --- the 投稿 form and the login form --------------------------------------------------------------


@pytest.mark.django_db
def test_case_draft_form_never_crashes_and_refusals_create_no_page(world, client_for, learner):
    from casebank.models import CasePage

    world.case  # noqa: B018  a case library must exist for the form
    client = client_for(learner)
    fields = ["title", "scenario_type", "background", "steps", "outcome", "lessons"]

    @FUZZ
    @given(data=st.dictionaries(st.sampled_from(fields), nasty_text, max_size=len(fields)))
    def run(data):
        before = CasePage.objects.count()
        response = client.post("/cases/submit/", data)
        assert response.status_code < 500
        if response.status_code != 302:
            assert CasePage.objects.count() == before

    run()


@pytest.mark.django_db
def test_login_form_survives_any_input(client, learner):
    @FUZZ
    @given(username=nasty_text, password=nasty_text)
    def run(username, password):
        cache.clear()
        response = client.post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code < 500
        assert "_auth_user_id" not in client.session

    run()


# --- schemathesis against our OpenAPI schema --------------------------------------------------------


def _real_ids(world: World) -> dict:
    attempt = world.attempts["a"]
    return {
        "exam_id": world.exam.pk,
        "attempt_id": attempt.pk,
        "question_id": attempt.items.order_by("position").first().question_id,
        "sim_id": world.scenario.pk,
        "run_id": world.runs["a"].pk,
        "id": world.workers["a"].pk,
    }


def _fingerprint(world: World) -> tuple:
    """What a refused request must not change: answers, runs, attempts, the audit trail."""
    from wagtail.models import ModelLogEntry

    attempt = world.attempts["a"]
    return (
        tuple(attempt.items.order_by("pk").values_list("answer", "seq")),
        type(attempt).objects.count(),
        world.runs["a"].steps.count(),
        type(world.runs["a"]).objects.count(),
        ModelLogEntry.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["learner", "hr_district"])
def test_schemathesis_every_api_operation_no_500_and_no_partial_write(
    world, client_for, request, persona
):
    user = request.getfixturevalue(persona)
    schema_response = client_for(user).get("/api/v1/schema/", {"format": "json"})
    raw = json.loads(schema_response.content)
    schema = schemathesis.openapi.from_dict(raw)
    ids = _real_ids(world)
    client = client_for(user)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    per_operation = max(5, EXAMPLES // 2)

    for operation in operations:

        @settings(
            max_examples=per_operation,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), use_real_ids=st.booleans())
        def run(case, use_real_ids):
            cache.clear()
            if use_real_ids and case.path_parameters:
                case.path_parameters = {k: ids.get(k, v) for k, v in case.path_parameters.items()}
            before = _fingerprint(world)
            kwargs = {"QUERY_STRING": urlencode(case.query or {}, doseq=True)}
            if case.body is not None and case.body is not NOT_SET:
                kwargs["data"] = json.dumps(case.body)
                kwargs["content_type"] = case.media_type or "application/json"
            response = client.generic(case.method.upper(), case.formatted_path, **kwargs)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} {case.body!r}: {response.status_code}"
            )
            if response.status_code >= 400:
                assert _fingerprint(world) == before, (
                    f"{case.method} {case.formatted_path} answered {response.status_code} "
                    "but changed data"
                )

        run()
