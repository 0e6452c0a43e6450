"""Static files as served in production: whitenoise's compressed, hashed copies."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Also rewrite the paths of JavaScript ``import … from`` statements to hashed names.

    A page loads its entry module by its hashed name; the modules it imports must be the
    copies collected with it, not whatever an unhashed name held when a browser cached it.
    """

    support_js_module_import_aggregation = True
