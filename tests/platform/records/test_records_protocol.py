"""``Records`` and ``GuardedRecords`` keep to one interface, ``RecordService`` (mypy checks it
in jimu/platform/records/protocol.py; this test says the same at run time)."""

from __future__ import annotations

import inspect

from records_testing import make_model

from jimu.platform.access.guarded import GuardedRecords
from jimu.platform.access.policy import AccessPolicy
from jimu.platform.records import Records
from jimu.platform.records.protocol import RecordService


def members() -> list[str]:
    return [
        name
        for name, value in vars(RecordService).items()
        if not name.startswith("_") and (callable(value) or isinstance(value, property))
    ]


def test_both_services_have_every_member_of_the_interface_with_its_parameters() -> None:
    names = members()
    assert {"create", "bulk_update", "purge", "list", "import_file", "export", "model"} <= set(
        names
    )
    records = Records(make_model())
    guarded = GuardedRecords(records, AccessPolicy("crm", 1, {}, unrestricted=True))
    for service, instance in ((Records, records), (GuardedRecords, guarded)):
        for name in names:
            wanted = getattr(RecordService, name)
            if isinstance(wanted, property):
                assert hasattr(instance, name), f"{service.__name__} has no {name}"
                continue
            found = getattr(service, name, None)
            assert found is not None, f"{service.__name__} has no {name}"
            expected = list(inspect.signature(wanted).parameters.values())
            actual = inspect.signature(found).parameters
            for parameter in expected:
                match = actual.get(parameter.name)
                assert match is not None, f"{service.__name__}.{name} lacks {parameter.name}"
                assert match.kind == parameter.kind, f"{service.__name__}.{name}"
                assert match.default == parameter.default, f"{service.__name__}.{name}"
            extra = [p for n, p in actual.items() if n not in {e.name for e in expected}]
            assert all(p.default is not inspect.Parameter.empty for p in extra), (
                f"{service.__name__}.{name} needs parameters the interface does not give"
            )


def test_a_guarded_service_wraps_any_record_service() -> None:
    hints = inspect.signature(GuardedRecords.__init__).parameters["records"].annotation
    assert hints == "RecordService"
