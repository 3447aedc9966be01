"""The production static-files storage: whitenoise's compressed manifest storage, without the rewriting
of JavaScript source-map comments. The vendored Workbox files end in `//# sourceMappingURL=….map` and their
.map files are not shipped (they are for debugging Workbox itself), which made `collectstatic` fail; the
project's own scripts have no source maps and no module imports to rewrite."""

from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """Hashed, compressed names as whitenoise's storage gives them; CSS url() references still rewritten."""

    patterns = tuple(
        (glob, rules) for glob, rules in CompressedManifestStaticFilesStorage.patterns if glob != "*.js"
    )
