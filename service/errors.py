"""The one base class for errors whose message is written for a client.

Anything raised as a `UserError` reaches the client with its message and `extensions.code`, in
production too; every other exception is an internal error (masked in production, logged).
Converted at the GraphQL boundary (schema/limits.py), so the domain raises it without knowing
about GraphQL.
"""

from __future__ import annotations

from typing import Any


class UserError(ValueError):
    """A request or an input is wrong in a way the client can fix; the message says how."""

    code: str = "BAD_USER_INPUT"

    def __init__(self, message: str, *, code: str | None = None, **extensions: Any) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.extensions: dict[str, Any] = extensions

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""
