"""A submission's outcome as the field API answers it: the HTTP status and the JSON body."""

from rest_framework import status

from ..services.submissions import SubmissionResult

STATUS_CODES = {
    "created": status.HTTP_201_CREATED,
    "duplicate": status.HTTP_200_OK,
    "invalid": status.HTTP_400_BAD_REQUEST,
    "conflict": status.HTTP_409_CONFLICT,
    "forbidden": status.HTTP_403_FORBIDDEN,
}


def result_body(result: SubmissionResult) -> dict:
    if result.status in ("created", "duplicate"):
        return {
            "id": result.response_id,
            "client_uuid": str(result.client_uuid),
            "status": result.status,
            "received_at": result.received_at.isoformat() if result.received_at else None,
        }
    body = {"client_uuid": str(result.client_uuid), "status": result.status, "errors": result.errors}
    if result.response_id is not None:
        body["id"] = result.response_id
    return body
