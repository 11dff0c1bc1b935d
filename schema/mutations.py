from __future__ import annotations

import hmac
from typing import Annotated

import strawberry

from schema.context import Info
from schema.types.article import Article
from service import models, settings
from service.importer import import_text


@strawberry.type(description="The article is stored (or was already, unchanged).")
class ImportArticleSuccess:
    article: Article = strawberry.field(description="The stored article.")
    created: bool = strawberry.field(description="False when the same text had been imported before.")
    quote_count: int = strawberry.field(description="Quotes found in the article.")
    speaker_count: int = strawberry.field(description="Speakers the article names or quotes.")


@strawberry.type(description="The text could not be imported as an article; nothing was stored.")
class InvalidArticleError:
    message: str = strawberry.field(description="What was wrong with the input.")
    field: str = strawberry.field(description="The argument at fault (\"text\" or \"title\").")


@strawberry.type(description="The request lacks the API token mutations require.")
class NotAuthorizedError:
    message: str = strawberry.field(description="Why, and how to authorise.")


ImportArticleResult = Annotated[
    ImportArticleSuccess | InvalidArticleError | NotAuthorizedError,
    strawberry.union("ImportArticleResult", description="The outcome of importArticle."),
]


def authorization_error(info: Info) -> NotAuthorizedError | None:
    """None when the request carries the configured bearer token."""
    if not settings.API_TOKEN:
        return NotAuthorizedError(
            message="Mutations are disabled: start the server with QUOTEGRAPH_API_TOKEN set, "
            "then send `Authorization: Bearer <token>`."
        )
    request = info.context.request
    header = request.headers.get("authorization", "") if request is not None else ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), settings.API_TOKEN):
        return NotAuthorizedError(
            message="Send the API token as `Authorization: Bearer <token>` to run mutations."
        )
    return None


@strawberry.type(description="Change the graph. Every mutation needs `Authorization: Bearer <token>`.")
class Mutation:
    @strawberry.mutation(
        description="Import one article: the same code path as `quotegraph import`. "
        "Importing the same text again changes nothing."
    )
    async def import_article(
        self,
        info: Info,
        text: Annotated[str, strawberry.argument(description="The article's text.")],
        title: Annotated[
            str | None,
            strawberry.argument(description="Its title; without one, the text's first line is it."),
        ] = None,
    ) -> ImportArticleResult:
        if (error := authorization_error(info)) is not None:
            return error
        if len(text.encode("utf-8")) > settings.MAX_ARTICLE_BYTES:
            return InvalidArticleError(
                message=f"the text is longer than {settings.MAX_ARTICLE_BYTES:,} bytes", field="text"
            )
        result = await import_text(text, source="<mutation>", title=title)
        if result.status == "failed" or result.article_id is None:
            return InvalidArticleError(message=result.error or "the article was not stored", field="text")
        row = await models.Article.get(id=result.article_id)
        return ImportArticleSuccess(
            article=Article.from_model(row),
            created=result.status == "imported",
            quote_count=result.quotes,
            speaker_count=result.speakers,
        )
