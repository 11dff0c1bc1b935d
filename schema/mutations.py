from __future__ import annotations

import hmac
from typing import Annotated

import strawberry

from schema.context import Info
from schema.filters import FilterError, decode_id
from schema.types.article import Article
from schema.types.common import SpeakerKind
from schema.types.quote import Quote
from schema.types.speaker import Speaker
from service import corrections, models, settings
from service.corrections import CorrectionError
from service.importer import import_text
from service.parsing import records


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


@strawberry.type(description="An ID given to a mutation names nothing; nothing was changed.")
class NotFoundError:
    message: str = strawberry.field(description="Which ID names nothing.")
    field: str = strawberry.field(description="The argument at fault.")


@strawberry.type(description="An argument is not acceptable; nothing was changed.")
class InvalidInputError:
    message: str = strawberry.field(description="What was wrong.")
    field: str = strawberry.field(description="The argument at fault.")


@strawberry.type(description="The quote now belongs to the speaker given.")
class ReattributeQuoteSuccess:
    quote: Quote = strawberry.field(description="The corrected quote.")


@strawberry.type(description="The speakers are one; later imports naming any of them resolve to it.")
class MergeSpeakersSuccess:
    speaker: Speaker = strawberry.field(description="The kept speaker, with every quote and alias.")
    merged_count: int = strawberry.field(description="How many speakers were folded into it.")


@strawberry.type(description="The speaker is updated; later imports keep the correction.")
class UpdateSpeakerSuccess:
    speaker: Speaker = strawberry.field(description="The updated speaker.")


@strawberry.type(description="The article and its quotes are gone.")
class DeleteArticleSuccess:
    deleted_id: strawberry.ID = strawberry.field(description="The global ID the article had.")
    quote_count: int = strawberry.field(description="How many quotes were deleted with it.")


@strawberry.input(description="The fields of a speaker to change; those left out stay as they are.")
class UpdateSpeakerInput:
    title: str | None = strawberry.field(default=strawberry.UNSET, description="Office or role; null clears it.")
    country: str | None = strawberry.field(
        default=strawberry.UNSET, description="ISO 3166 alpha-2 code (\"US\"); null clears it."
    )
    kind: SpeakerKind | None = strawberry.field(default=strawberry.UNSET, description="Person, organisation or anonymous.")


Errors = NotFoundError | InvalidInputError | NotAuthorizedError
ReattributeQuoteResult = Annotated[
    ReattributeQuoteSuccess | Errors, strawberry.union("ReattributeQuoteResult", description="The outcome of reattributeQuote.")
]
MergeSpeakersResult = Annotated[
    MergeSpeakersSuccess | Errors, strawberry.union("MergeSpeakersResult", description="The outcome of mergeSpeakers.")
]
UpdateSpeakerResult = Annotated[
    UpdateSpeakerSuccess | Errors, strawberry.union("UpdateSpeakerResult", description="The outcome of updateSpeaker.")
]
DeleteArticleResult = Annotated[
    DeleteArticleSuccess | Errors, strawberry.union("DeleteArticleResult", description="The outcome of deleteArticle.")
]


def _id(value: strawberry.ID, type_name: str, field: str) -> int:
    try:
        return decode_id(value, type_name, field)
    except FilterError as exc:
        raise CorrectionError(str(exc), field) from None


def _error(exc: CorrectionError) -> NotFoundError | InvalidInputError:
    if exc.not_found:
        return NotFoundError(message=str(exc), field=exc.field)
    return InvalidInputError(message=str(exc), field=exc.field)


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

    @strawberry.mutation(description="Attribute a quote to another speaker (kept through re-imports).")
    async def reattribute_quote(
        self,
        info: Info,
        quote: Annotated[strawberry.ID, strawberry.argument(description="The quote's ID.")],
        speaker: Annotated[strawberry.ID, strawberry.argument(description="The speaker's ID.")],
    ) -> ReattributeQuoteResult:
        if (denied := authorization_error(info)) is not None:
            return denied
        try:
            row = await corrections.reattribute_quote(
                _id(quote, "Quote", "quote"), _id(speaker, "Speaker", "speaker")
            )
        except CorrectionError as exc:
            return _error(exc)
        return ReattributeQuoteSuccess(quote=Quote.from_model(row))

    @strawberry.mutation(description="Fold speakers into one, moving their quotes and aliases.")
    async def merge_speakers(
        self,
        info: Info,
        keep: Annotated[strawberry.ID, strawberry.argument(description="The speaker to keep.")],
        merge: Annotated[list[strawberry.ID], strawberry.argument(description="Speakers to fold into it.")],
    ) -> MergeSpeakersResult:
        if (denied := authorization_error(info)) is not None:
            return denied
        try:
            if len(merge) > 100:
                raise CorrectionError("`merge` may name at most 100 speakers at once", "merge")
            kept, count = await corrections.merge_speakers(
                _id(keep, "Speaker", "keep"), [_id(m, "Speaker", "merge") for m in merge]
            )
        except CorrectionError as exc:
            return _error(exc)
        return MergeSpeakersSuccess(speaker=Speaker.from_model(kept), merged_count=count)

    @strawberry.mutation(description="Correct a speaker's title, country or kind.")
    async def update_speaker(
        self,
        info: Info,
        speaker: Annotated[strawberry.ID, strawberry.argument(description="The speaker's ID.")],
        input: Annotated[UpdateSpeakerInput, strawberry.argument(description="What to change.")],
    ) -> UpdateSpeakerResult:
        if (denied := authorization_error(info)) is not None:
            return denied
        changes = corrections.SpeakerChanges()
        if input.title is not strawberry.UNSET:
            changes.title = input.title
        if input.country is not strawberry.UNSET:
            changes.country = input.country
        if input.kind is not strawberry.UNSET:
            if input.kind is None:
                return InvalidInputError(message="`kind` cannot be null", field="kind")
            changes.kind = records.SpeakerKind(input.kind.value)
        try:
            row = await corrections.update_speaker(_id(speaker, "Speaker", "speaker"), changes)
        except CorrectionError as exc:
            return _error(exc)
        return UpdateSpeakerSuccess(speaker=Speaker.from_model(row))

    @strawberry.mutation(description="Delete an article with its quotes.")
    async def delete_article(
        self,
        info: Info,
        article: Annotated[strawberry.ID, strawberry.argument(description="The article's ID.")],
    ) -> DeleteArticleResult:
        if (denied := authorization_error(info)) is not None:
            return denied
        try:
            count = await corrections.delete_article(_id(article, "Article", "article"))
        except CorrectionError as exc:
            return _error(exc)
        return DeleteArticleSuccess(deleted_id=article, quote_count=count)
