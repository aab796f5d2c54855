"""The example plugin's type (loaded from its source) and the registry's plugin rules."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from types import ModuleType

import pluggy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jimu.engines.form.hookspecs import hookimpl
from jimu.engines.form.registry import build_registry, plugin_manager
from jimu.engines.form.types.base import FieldType, InvalidValue
from jimu.engines.form.types.text import TextType
from jimu.errors import JimuError

SOURCE = Path(__file__).resolve().parents[3] / "examples/field_plugin/src/jimu_cn_id/plugin.py"


def _load_plugin() -> ModuleType:
    """The plugin module from its source file (without installing it)."""
    spec = importlib.util.spec_from_file_location("jimu_cn_id_source", SOURCE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cn_id = _load_plugin()


def make_id(area: int, born: date, serial: int) -> str:
    first17 = f"{area:06d}{born:%Y%m%d}{serial:03d}"
    return first17 + cn_id.check_character(first17)


@settings(max_examples=200)
@given(
    st.integers(110000, 659999),
    st.dates(date(1900, 1, 1), date(2025, 12, 31)),
    st.integers(0, 999),
    st.integers(0, 17),
    st.integers(1, 9),
)
def test_valid_ids_pass_and_any_changed_digit_fails(
    area: int, born: date, serial: int, position: int, delta: int
) -> None:
    good = make_id(area, born, serial)
    assert cn_id.parse_cn_id(good.lower()) == good
    if good[position] == "X":
        return
    changed = good[:position] + str((int(good[position]) + delta) % 10) + good[position + 1 :]
    with pytest.raises(InvalidValue):
        cn_id.parse_cn_id(changed)


@pytest.mark.parametrize("bad", ["123", "11010519491331002X", 110105194912310021])
def test_bad_shapes_and_dates(bad: object) -> None:
    with pytest.raises(InvalidValue):
        cn_id.parse_cn_id(bad)


def test_a_plugin_registers_through_the_hook() -> None:
    manager = plugin_manager(load_entry_points=False)
    manager.register(cn_id)
    assert "cn_id" in build_registry(manager)


def test_two_types_with_one_name_are_refused() -> None:
    class Clash(FieldType):
        name = TextType.name

    class ClashPlugin:
        @hookimpl
        def jimu_field_types(self) -> list[type[FieldType]]:
            return [Clash]

    manager: pluggy.PluginManager = plugin_manager(load_entry_points=False)
    manager.register(ClashPlugin())
    with pytest.raises(JimuError, match="two plugins"):
        build_registry(manager)
