"""Versioned JSON documents (app, entity, form, flow, rule, report, dashboard).

Their JSON Schemas (:mod:`.schemas`), validation reporting every error with a JSON pointer
(:mod:`.validate`), diffs (:mod:`.diff`), canonical JSON (:mod:`.jsonio`) and app folders
(:mod:`.folder`). The versioned store itself is ``jimu.platform.metadata_store``.
"""
