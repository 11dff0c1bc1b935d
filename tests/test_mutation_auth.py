"""Any Authorization header, and any configured token, gives an answer: authorised or
NotAuthorizedError, never an internal error."""

from __future__ import annotations

import httpx
import pytest

from service import settings

DELETE = 'mutation { deleteArticle(article: "QXJ0aWNsZTo5OTk=") { __typename } }'


async def outcome(client: httpx.AsyncClient, authorization: bytes) -> str:
    response = await client.post("/graphql", json={"query": DELETE}, headers={"Authorization": authorization})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    typename: str = body["data"]["deleteArticle"]["__typename"]
    return typename


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer é".encode(),
        b"Bearer \xff\xfe\x80",
        "Bearer s3crét".encode(),
        b"Bearer s3cret\xa0",
        "Bëarer s3cret".encode(),
        b"\xff",
    ],
)
async def test_non_ascii_authorization_is_not_authorized(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, authorization: bytes
) -> None:
    monkeypatch.setattr(settings, "API_TOKEN", "s3cret")
    assert await outcome(client, authorization) == "NotAuthorizedError"
    assert await outcome(client, b"Bearer s3cret") == "NotFoundError"


async def test_non_ascii_token_is_compared_as_utf8(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "API_TOKEN", "tökén-ß")
    assert await outcome(client, "Bearer tökén-ß".encode()) == "NotFoundError"
    assert await outcome(client, b"Bearer tokens") == "NotAuthorizedError"
    assert await outcome(client, "Bearer tökén-ß".encode("latin-1")) == "NotAuthorizedError"
    assert await outcome(client, b"Bearer \xff") == "NotAuthorizedError"
