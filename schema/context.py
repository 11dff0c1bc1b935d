from __future__ import annotations

from dataclasses import dataclass, field

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from schema.loaders import Loaders


@dataclass
class Context:
    request: Request | WebSocket | None = None
    response: Response | WebSocket | None = None
    loaders: Loaders = field(default_factory=Loaders)


Info = strawberry.Info[Context, None]
