"""Public forms: a form of an entity published as an anonymous link (docs/public-forms.md).

- :mod:`definition` finds the published form documents with a ``public`` section;
- :mod:`submission` turns a submission into exactly one new record (source ``public``);
- :mod:`limits` and :mod:`counters` protect the routes (rate limit per IP, sizes);
- :mod:`body` reads request bodies within the size limit;
- :mod:`api_routes` is the JSON endpoint for other sites, :mod:`admin` the admin page's logic.

The HTML routes are in :mod:`jimu.builder_ui.pages.public_forms.routes`.
"""
