"""The ``public`` section of form documents: its JSON Schema and the checks on publish."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from public_forms_testing import MARKETING

from jimu.errors import ValidationFailed
from jimu.metadata.folder import read_folder
from jimu.metadata.validate import schema_errors, validate_app_documents
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.state import Platform


def contact_us() -> dict[str, Any]:
    path = MARKETING / "forms" / "lead.contact_us.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


def app_with(*forms: dict[str, Any]) -> list[dict[str, Any]]:
    """The marketing app's documents with ``forms`` instead of its public forms."""
    folder = read_folder(MARKETING)
    kept = [d for d in folder.documents if not (d["kind"] == "form" and "public" in d)]
    return copy.deepcopy(kept) + list(forms)


def problems(*forms: dict[str, Any]) -> dict[str, str]:
    return {e.pointer: e.message for e in validate_app_documents(app_with(*forms))}


def test_the_marketing_public_forms_are_valid() -> None:
    folder = read_folder(MARKETING)
    public = [d for d in folder.documents if d["kind"] == "form" and "public" in d]
    assert sorted(d["public"]["slug"] for d in public) == [
        "contact-us",
        "event-registration",
        "whitepaper",
    ]
    assert validate_app_documents(folder.documents, files=dict(enumerate(folder.files))) == []


@pytest.mark.parametrize(
    ("change", "pointer", "words"),
    [
        (lambda p: p.pop("slug"), "/public/slug", "is required"),
        (lambda p: p.pop("title"), "/public/title", "is required"),
        (lambda p: p.update(slug="Contact Us"), "/public/slug", "does not match"),
        (lambda p: p.update(slug="-x"), "/public/slug", "does not match"),
        (lambda p: p.update(enabled="yes"), "/public/enabled", "is not of type 'boolean'"),
        (lambda p: p.update(colour="red"), "/public/colour", "is not allowed here"),
        (lambda p: p["capture"].update({"utm source": "utm_source"}), "/public/capture", ""),
        (lambda p: p["capture"].update(gclid="Not A Field"), "/public/capture/gclid", ""),
        (lambda p: p.update(title={}), "/public/title", ""),
    ],
)
def test_schema_errors_point_at_the_key(change: Any, pointer: str, words: str) -> None:
    form = contact_us()
    change(form["public"])
    found = {e.pointer: e.message for e in schema_errors(form)}
    assert pointer in found, found
    assert words in found[pointer]


def test_every_problem_of_a_public_form_is_reported_at_once() -> None:
    form = contact_us()
    form["sections"][0]["fields"] += ["grade", "campaign", "code", "follow_up_count"]
    form["public"]["defaults"].update(status="bogus", score="many", nope=1, name="Anon")
    form["public"]["capture"].update(x="email", y="activity_count", ch="source", z="nope")
    form["public"]["labels"]["city"] = {"en": "City", "zh": "城市"}
    found = problems(form)
    file = "forms/lead.contact_us.json#"
    expected = {
        "/sections/0/fields/4": "the field 'grade' is computed (formula)",
        "/sections/0/fields/5": "the field 'campaign' is of type link, which a public form",
        "/sections/0/fields/6": "the field 'code' is computed (autonumber)",
        "/sections/0/fields/7": "the field 'follow_up_count' is computed (rollup)",
        "/public/defaults/status": "must be one of: new, contacted",
        "/public/defaults/score": "",
        "/public/defaults/nope": "there is no field 'nope'",
        "/public/defaults/name": "is on the form: a hidden default would overwrite",
        "/public/capture/x": "the field 'email' is on the form",
        "/public/capture/y": "the field 'activity_count' is computed (rollup)",
        "/public/capture/z": "there is no field 'nope'",
        "/public/labels/city": "the field 'city' is not on the form",
    }
    for pointer, words in expected.items():
        assert file + pointer in found, (pointer, found)
        assert words in found[file + pointer]
    assert file + "/public/capture/ch" not in found  # a select can be captured


def test_unique_fields_are_refused_on_the_form() -> None:
    form = contact_us()
    form["entity"] = "account"
    form["sections"] = [{"fields": ["name", "location", "website"]}]  # region is required
    form["public"] = {"slug": "acc", "title": {"en": "A"}, "defaults": {"type": "prospect"}}
    found = problems(form)
    file = "forms/account.contact_us.json#"
    assert "is unique" in found[file + "/sections/0/fields/0"]  # account names are unique
    assert file + "/sections/0/fields/1" not in found  # a region is fine
    assert file + "/sections/0/fields/2" not in found  # a URL field is fine
    assert "'region' must be on the form or have a default" in found[file + "/public"]


def test_a_required_field_nobody_can_fill_is_an_error() -> None:
    form = contact_us()
    form["public"]["defaults"] = {}
    found = problems(form)
    message = found["forms/lead.contact_us.json#/public"]
    assert "the required field 'source' must be on the form or have a default" in message


def test_slugs_are_unique_across_the_apps_forms() -> None:
    one, two = contact_us(), contact_us()
    two["name"] = "contact_us_copy"
    found = problems(one, two)
    assert found == {
        "forms/lead.contact_us_copy.json#/public/slug": (
            "the slug 'contact-us' is taken by forms/lead.contact_us.json"
        )
    }


def test_an_empty_public_form_is_an_error() -> None:
    form = contact_us()
    form["sections"] = []
    found = problems(form)
    assert "needs at least one field" in found["forms/lead.contact_us.json#/sections"]


def test_publishing_an_invalid_public_form_is_refused_and_changes_nothing(
    platform: Platform, tmp_path: Path
) -> None:
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, MARKETING, publish=True)
    form = contact_us()
    form["public"]["defaults"]["source"] = "carrier_pigeon"
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "marketing", "form", "lead.contact_us", form)
    with pytest.raises(ValidationFailed) as caught, begin_write(platform.engine) as conn:
        store.publish(conn, "marketing", "form", "lead.contact_us")
    pointers = [e.pointer for e in caught.value.errors]
    assert pointers == ["forms/lead.contact_us.json#/public/defaults/source"]
    with platform.engine.connect() as conn:
        live = store.published(conn, "marketing", "form", "lead.contact_us")
    assert live is not None and live.body["public"]["defaults"]["source"] == "website_form"


def test_a_bad_public_section_is_refused_when_the_draft_is_saved(platform: Platform) -> None:
    form = contact_us()
    form["public"]["slug"] = "Not a slug"
    with pytest.raises(ValidationFailed) as caught, begin_write(platform.engine) as conn:
        store.save_draft(conn, "marketing", "form", "lead.contact_us", form)
    assert [e.pointer for e in caught.value.errors] == ["/public/slug"]


def test_export_then_import_is_byte_stable_with_public_forms(
    platform: Platform, tmp_path: Path
) -> None:
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, MARKETING, publish=True)
    out = tmp_path / "export"
    with platform.engine.connect() as conn:
        store.export_folder(conn, "marketing", out)
    for name in ("lead.contact_us", "lead.event_registration", "lead.whitepaper_download"):
        exported = (out / "forms" / f"{name}.json").read_bytes()
        assert exported == (MARKETING / "forms" / f"{name}.json").read_bytes(), name


def test_read_only_and_reading_types_are_refused() -> None:
    from jimu.engines.form.model import AppModel
    from jimu.engines.form.registry import default_registry
    from jimu.metadata.public_form import public_form_errors

    fields = [
        {"name": "title", "type": "text"},
        {"name": "checked", "type": "boolean", "readonly": True},
        {"name": "owner", "type": "user"},
        {"name": "files", "type": "attachment"},
        {"name": "notes", "type": "richtext"},
        {"name": "due", "type": "datetime"},
        {"name": "stars", "type": "rating"},
    ]
    entity = {"kind": "entity", "name": "ticket", "label": {"en": "Ticket"}, "fields": fields}
    app = AppModel.from_documents("t", [entity])
    form = {
        "kind": "form",
        "entity": "ticket",
        "name": "public",
        "sections": [{"fields": [f["name"] for f in fields]}],
        "public": {"slug": "t", "title": {"en": "T"}, "capture": {"who": "checked"}},
    }
    found = {
        e.pointer: e.message
        for e in public_form_errors(form, app.entity("ticket"), app, default_registry())
    }
    assert found == {
        "/sections/0/fields/1": "the field 'checked' is read-only",
        "/sections/0/fields/2": (
            "the field 'owner' is of type user, which a public form cannot offer"
        ),
        "/sections/0/fields/3": (
            "the field 'files' is of type attachment, which a public form cannot offer"
        ),
        "/sections/0/fields/4": (
            "the field 'notes' is of type richtext, which a public form cannot offer"
        ),
        "/sections/0/fields/5": (
            "the field 'due' is of type datetime, which a public form cannot offer"
        ),
        "/public/capture/who": "the field 'checked' is read-only",
    }
