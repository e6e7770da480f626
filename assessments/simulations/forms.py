"""The scenario admin form: refuses to save a graph that does not hold together."""

from __future__ import annotations

from types import SimpleNamespace

from wagtail.admin.forms import WagtailAdminModelForm

from .graph import compile_scenario, validate_spec

_CHILD_FIELDS = {
    "dimensions": ["key", "name", "weight", "minimum"],
    "variants": ["key", "name", "is_default"],
    "nodes": ["key", "title", "situation", "image", "variant", "replaces", "time_limit_seconds"],
    "choices": [
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
    "endings": ["key", "title", "outcome"],
}


def _rows(formset, fields: list[str]) -> list[SimpleNamespace]:
    rows = []
    for position, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        row = SimpleNamespace(pk=form.instance.pk, sort_order=data.get("ORDER", position))
        if row.sort_order is None:
            row.sort_order = position
        for name in fields:
            setattr(row, name, data.get(name))
        row.image_id = getattr(row, "image", None) and row.image.pk
        rows.append(row)
    return rows


class ScenarioForm(WagtailAdminModelForm):
    """Validates the whole graph (targets, reachability, endings, cycles, a passing path)."""

    def is_valid(self):
        if not super().is_valid():
            return False
        if not all(name in self.formsets for name in _CHILD_FIELDS):
            return True
        data = self.cleaned_data
        scenario = SimpleNamespace(
            code=data.get("code", self.instance.code),
            title=data.get("title", self.instance.title),
            setup=data.get("setup", self.instance.setup),
            pass_mark=data.get("pass_mark", self.instance.pass_mark),
            timeliness_dimension=data.get(
                "timeliness_dimension", self.instance.timeliness_dimension
            ),
            flag_rule=data.get("flag_rule", self.instance.flag_rule),
        )
        parts = {name: _rows(self.formsets[name], fields) for name, fields in _CHILD_FIELDS.items()}
        errors = validate_spec(compile_scenario(scenario, **parts))
        for message in errors:
            self.add_error(None, message)
        return not errors
