"""The form engine: field types (a plugin registry), entity tables, record validation.

Pure library: it builds SQLAlchemy tables and expressions and validates values; the platform
(``jimu.platform.records``) runs the SQL on a connection it owns.
"""

from jimu.engines.form.codec import EntityCodec
from jimu.engines.form.model import AppModel, Entity, Field
from jimu.engines.form.registry import FieldTypeRegistry, default_registry
from jimu.engines.form.tables import EntityTables, build_tables
from jimu.engines.form.types.base import FieldContext, FieldType, InvalidValue

__all__ = [
    "AppModel",
    "Entity",
    "EntityCodec",
    "EntityTables",
    "Field",
    "FieldContext",
    "FieldType",
    "FieldTypeRegistry",
    "InvalidValue",
    "build_tables",
    "default_registry",
]
