"""The error answers of the Custom Webshop contract (docs/custom-webshop-api.md §7), one class per `error` code.

Every error body is JSON with a machine-readable `error` and a human `message`, plus the fields a client needs to
act: `fields` for 422, `existing_id` and `existing_resource` for 409, `current_version` for 412.
"""
from __future__ import annotations

from typing import Any


class ApiError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def as_json(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.details}


class InvalidJson(ApiError):
    status = 400
    code = "invalid_json"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Duplicate(ApiError):
    status = 409
    code = "duplicate"

    def __init__(self, resource: str, field: str, existing_id: int) -> None:
        super().__init__(f"{field} is already used by {resource}/{existing_id}", field=field, existing_id=existing_id,
                         existing_resource=resource)


class VersionMismatch(ApiError):
    status = 412
    code = "version_mismatch"

    def __init__(self, current_version: int) -> None:
        super().__init__(f"the record is at version {current_version}", current_version=current_version)


class ValidationFailed(ApiError):
    status = 422
    code = "validation_failed"

    def __init__(self, fields: dict[str, str]) -> None:
        # A problem with the body as a whole (not an object) has no field name; it is reported as "body".
        super().__init__("the request has invalid fields", fields={name or "body": msg for name, msg in fields.items()})
