"""Errors that carry their HTTP status; ``app.main`` renders them all in one handler."""

from dataclasses import dataclass, field

from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem, naming where it is: a field, or a CSV line and column."""

    field: str
    message: str
    line: int | None = None

    def as_dict(self) -> dict[str, str | int]:
        out: dict[str, str | int] = {"field": self.field, "message": self.message}
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass
class AppError(Exception):
    """Base of every expected failure; ``status_code`` is what the API answers."""

    message: str
    errors: list[FieldError] = field(default_factory=list)
    status_code: int = 400

    def __str__(self) -> str:
        return self.message


class NotFound(AppError):
    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=404)


class Conflict(AppError):
    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message, errors or [], status_code=409)


class Gone(AppError):
    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=410)


class Invalid(AppError):
    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message, errors or [], status_code=422)


class Unauthorized(AppError):
    def __init__(self, message: str = "a valid API key is required") -> None:
        super().__init__(message, status_code=401)


class Forbidden(AppError):
    def __init__(self, message: str = "this API key's role does not allow it") -> None:
        super().__init__(message, status_code=403)


class ErrorItem(BaseModel):
    """One entry of ``errors`` in an error body (the OpenAPI document's description)."""

    field: str
    message: str
    line: int | None = None


class ErrorBody(BaseModel):
    """Every error the API answers: a sentence, and each problem by field."""

    detail: str
    errors: list[ErrorItem]
