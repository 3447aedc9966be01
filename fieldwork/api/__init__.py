"""The device API under /api/v1/field/: token authentication, size-guarded JSON, idempotent submissions."""
