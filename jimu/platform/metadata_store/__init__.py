"""The metadata store: versioned documents (drafts, published, superseded) in ``jimu_document``.

Every function takes a Connection inside a transaction the caller began (``begin_write`` for
writes) and never commits. Publishing an entity runs its schema change in that same
transaction, so a failed publish leaves schema, data and metadata as they were (SQLite too: the
engine from ``jimu.platform.db.create_engine`` makes DDL transactional). See docs/records.md.
"""

from jimu.platform.metadata_store.archive import (
    archived_columns,
    purge_archived,
    restore_archived,
)
from jimu.platform.metadata_store.documents import (
    DRAFT,
    PUBLISHED,
    SUPERSEDED,
    DocumentVersion,
    app_revision,
    apps,
    diff,
    document_name,
    get,
    list_documents,
    load_app,
    published,
    published_many,
    versions,
)
from jimu.platform.metadata_store.drafts import delete_form_layout, discard_draft, save_draft
from jimu.platform.metadata_store.folders import export_folder, import_folder
from jimu.platform.metadata_store.publishing import (
    PublishPlan,
    PublishPreview,
    plan_publish,
    preview_publish,
    publish,
    rollback,
)

__all__ = [
    "DRAFT",
    "PUBLISHED",
    "SUPERSEDED",
    "DocumentVersion",
    "PublishPlan",
    "PublishPreview",
    "app_revision",
    "apps",
    "archived_columns",
    "delete_form_layout",
    "diff",
    "discard_draft",
    "document_name",
    "export_folder",
    "get",
    "import_folder",
    "list_documents",
    "load_app",
    "plan_publish",
    "preview_publish",
    "publish",
    "published",
    "published_many",
    "purge_archived",
    "restore_archived",
    "rollback",
    "save_draft",
    "versions",
]
