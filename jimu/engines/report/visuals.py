"""What each visual needs of a chart: how many dimensions and measures it can draw."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from jimu.errors import FieldError


class Shape(NamedTuple):
    min_dimensions: int
    max_dimensions: int
    min_measures: int
    max_measures: int
    #: what the error says the visual needs
    needs: str


MANY = 20
#: Visuals drawn as a card: ``visual.value`` may name the measure shown (a ratio of two others).
CARDS = ("number", "kpi")
SHAPES: dict[str, Shape] = {
    "number": Shape(0, 0, 1, 1, "one measure and no dimension"),
    "kpi": Shape(0, 1, 1, 2, "one or two measures (value, target) and at most a period"),
    "table": Shape(0, 3, 1, MANY, "at least one measure"),
    "pivot": Shape(1, 3, 1, MANY, "one to three dimensions (rows, columns) and a measure"),
    "bar": Shape(1, 2, 1, MANY, "one or two dimensions (categories, series)"),
    "stacked_bar": Shape(1, 2, 1, MANY, "one or two dimensions (categories, stacks)"),
    "line": Shape(1, 2, 1, MANY, "one or two dimensions (x axis, series)"),
    "area": Shape(1, 2, 1, MANY, "one or two dimensions (x axis, series)"),
    "combo": Shape(1, 1, 2, MANY, "one dimension and at least two measures"),
    "pie": Shape(1, 1, 1, 1, "one dimension and one measure"),
    "donut": Shape(1, 1, 1, 1, "one dimension and one measure"),
    "funnel": Shape(1, 1, 1, MANY, "one dimension (the steps)"),
    "scatter": Shape(1, 2, 2, 3, "a dimension (the points) and two or three measures (x, y, size)"),
    "heatmap": Shape(2, 2, 1, 1, "two dimensions and one measure"),
    "china_map": Shape(1, 1, 1, MANY, "one dimension holding provinces"),
}


def visual_errors(spec: Mapping[str, Any]) -> list[FieldError]:
    """A problem at ``/visual/type`` when the visual cannot draw the chart's shape."""
    visual = spec.get("visual")
    kind = visual.get("type") if isinstance(visual, Mapping) else None
    shape = SHAPES.get(str(kind))
    if shape is None:
        return []
    dimensions = len(spec.get("dimensions") or [])
    measures = len(spec.get("measures") or [])
    assert isinstance(visual, Mapping)
    shown = visual.get("value")
    if kind in CARDS and shown is not None:
        # the card shows the measure ``value`` names; the others are the parts it is made of
        names = [m.get("name") for m in spec.get("measures") or [] if isinstance(m, Mapping)]
        if shown not in names:
            return [FieldError("/visual/value", f"no measure is called {shown}", "reference")]
        shape = shape._replace(max_measures=MANY)
    fits = shape.min_dimensions <= dimensions <= shape.max_dimensions
    fits = fits and shape.min_measures <= measures <= shape.max_measures
    if fits:
        return []
    message = (
        f"a {kind} chart needs {shape.needs}; this one has {dimensions} dimension(s) "
        f"and {measures} measure(s)"
    )
    return [FieldError("/visual/type", message, "visual")]
