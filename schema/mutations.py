from __future__ import annotations

import asyncio
import hmac
from enum import Enum
from typing import Annotated

import strawberry
from tortoise import connections

from schema.context import Info
from schema.filters import FilterError, decode_id
from schema.types.article import Article
from schema.types.common import SpeakerKind
from schema.types.quote import Quote
from schema.types.speaker import Speaker
from service import corrections, models, parsepool, settings, sources
from service.corrections import CorrectionError
from service.errors import UserError
from service.importer import ImportResult, store
from service.parsing import ArticleError, records
from service.sources import ArticleInput as SourceInput
from service.sources import SourceRecord


@strawberry.type(description="The article is stored (or was already, unchanged).")
class ImportArticleSuccess:
    article: Article = strawberry.field(description="The stored article.")
    created: bool = strawberry.field(description="False when the same text had been imported before.")
    quote_count: int = strawberry.field(description="Quotes found in the article.")
    speaker_count: int = strawberry.field(description="Speakers the article names or quotes.")


@strawberry.type(description="The text could not be imported as an article; nothing was stored.")
class InvalidArticleError:
    message: str = strawberry.field(description="What was wrong with the input.")
    field: str = strawberry.field(description='The argument at fault ("text" or "title").')
    code: str = strawberry.field(
        description="INVALID_ARTICLE, or PARSE_TIMEOUT when parsing it took longer than QUOTEGRAPH_PARSE_TIMEOUT."
    )


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
        default=strawberry.UNSET, description='ISO 3166 alpha-2 code ("US"); null clears it.'
    )
    kind: SpeakerKind | None = strawberry.field(
        default=strawberry.UNSET, description="Person, organisation or anonymous."
    )


Errors = NotFoundError | InvalidInputError | NotAuthorizedError
ReattributeQuoteResult = Annotated[
    ReattributeQuoteSuccess | Errors,
    strawberry.union("ReattributeQuoteResult", description="The outcome of reattributeQuote."),
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


class ParseBusyError(UserError):
    """Every parser worker is busy and the queue is full: not the article's fault, try later."""

    code = parsepool.PARSE_BUSY_CODE


async def _import(source: SourceInput, origin: str) -> ImportResult:
    """Parse off the event loop (service/parsepool.py), then store in one transaction."""
    return await store(await parsepool.parse(SourceRecord(origin, source)))


async def _import_outcome(result: ImportResult) -> ImportArticleSuccess | InvalidArticleError:
    if result.code == parsepool.PARSE_BUSY_CODE:
        raise ParseBusyError(result.error or "the server is busy parsing other articles")
    if result.status == "failed" or result.article_id is None:
        return InvalidArticleError(
            message=result.error or "the article was not stored", field="text", code=result.code or "INVALID_ARTICLE"
        )
    # From the primary: a replica may not have the article yet.
    row = await models.Article.filter(id=result.article_id).using_db(connections.get("default")).get()
    return ImportArticleSuccess(
        article=Article.from_model(row),
        created=result.status != "unchanged",
        quote_count=result.quotes,
        speaker_count=result.speakers,
    )


ImportArticleResult = Annotated[
    ImportArticleSuccess | InvalidArticleError | NotAuthorizedError,
    strawberry.union("ImportArticleResult", description="The outcome of importArticle."),
]


MAX_BATCH = 100
# A batch starts no record after this share of QUOTEGRAPH_REQUEST_TIMEOUT and stops the one in
# flight there (rolled back): the rest of the time answers, saying which records were stored.
BATCH_TIME_SHARE = 0.8


@strawberry.enum(description="What importing a record did.")
class ImportStatus(Enum):
    IMPORTED = strawberry.enum_value("IMPORTED", description="Stored as a new article.")
    UPDATED = strawberry.enum_value("UPDATED", description="Stored over the article with its identity.")
    UNCHANGED = strawberry.enum_value("UNCHANGED", description="Already stored with the same text.")
    FAILED = strawberry.enum_value("FAILED", description="Not stored; `error` and `code` say why.")
    TIMED_OUT = strawberry.enum_value(
        "TIMED_OUT",
        description="Not stored: the request's time limit (QUOTEGRAPH_REQUEST_TIMEOUT) came before the record "
        "was done or begun; nothing of it was stored, send it again.",
    )


@strawberry.input(description="One article and its metadata; only `text` is required.")
class ArticleInput:
    text: str = strawberry.field(description="The article's text; without `title`, its first line is the title.")
    title: str | None = strawberry.field(default=None, description="The title.")
    url: str | None = strawberry.field(
        default=None, description="Where it was published; its identity when no externalId."
    )
    publisher: str | None = strawberry.field(default=None, description="Who published it.")
    published_at: str | None = strawberry.field(
        default=None, description="When it was published: ISO 8601 or a common date format."
    )
    language: str | None = strawberry.field(default=None, description='Its language ("en").')
    external_id: str | None = strawberry.field(
        default=None, description="The source system's id: the article's identity for re-imports."
    )

    def to_source(self) -> sources.ArticleInput:
        record = {
            "text": self.text,
            "title": self.title,
            "url": self.url,
            "publisher": self.publisher,
            "publishedAt": self.published_at,
            "language": self.language,
            "externalId": self.external_id,
        }
        return sources.article_from_json({k: v for k, v in record.items() if v is not None})


@strawberry.type(description="What importing one record of a batch did.")
class ImportArticleOutcome:
    index: int = strawberry.field(description="The record's position in `input`.")
    status: ImportStatus = strawberry.field(description="Imported, updated, unchanged or failed.")
    quote_count: int = strawberry.field(description="Quotes found in it.")
    error: str | None = strawberry.field(description="Why it failed, when it did.")
    code: str | None = strawberry.field(
        description="Why it was not stored, as a code: INVALID_ARTICLE, PARSE_TIMEOUT, PARSE_BUSY, REQUEST_TIMEOUT, ..."
    )
    article_id: strawberry.Private[int | None]

    @strawberry.field(description="The stored article, unless it failed.")
    async def article(self, info: Info) -> Article | None:
        if self.article_id is None:
            return None
        row = await info.context.loaders.article_by_id.load(self.article_id)
        return Article.from_model(row) if row else None


@strawberry.type(description="One outcome per record: tried, or TIMED_OUT when the request's time limit came first.")
class ImportArticlesSuccess:
    results: list[ImportArticleOutcome] = strawberry.field(description="One outcome per record, in order.")


ImportArticlesResult = Annotated[
    ImportArticlesSuccess | InvalidInputError | NotAuthorizedError,
    strawberry.union("ImportArticlesResult", description="The outcome of importArticles."),
]


async def _import_item(item: ArticleInput, origin: str) -> ImportResult:
    try:
        source = item.to_source()
    except ArticleError as exc:
        return ImportResult(origin, "failed", error=str(exc), code="INVALID_ARTICLE")
    return await _import(source, origin)


def _timed_out(index: int, what: str) -> ImportArticleOutcome:
    return ImportArticleOutcome(
        index=index,
        status=ImportStatus.TIMED_OUT,
        article_id=None,
        quote_count=0,
        error=f"{what} at the request's time limit (QUOTEGRAPH_REQUEST_TIMEOUT): nothing of it was stored; "
        "send it again, in a smaller batch",
        code="REQUEST_TIMEOUT",
    )


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
    # Bytes: compare_digest refuses str with characters past ASCII, and a header may carry any
    # byte (Starlette decodes it as Latin-1); a token is compared as its UTF-8 bytes.
    given = token.strip(" \t").encode("latin-1", errors="replace")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, settings.API_TOKEN.encode()):
        return NotAuthorizedError(message="Send the API token as `Authorization: Bearer <token>` to run mutations.")
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
        for field, value in (("text", text), ("title", title)):
            try:
                if value is not None:
                    sources.storable(value, field)  # no NUL or lone surrogate, which no column holds
            except ArticleError as exc:
                return InvalidArticleError(message=str(exc), field=field, code="INVALID_ARTICLE")
        return await _import_outcome(await _import(SourceInput(text=text, title=title), "<mutation>"))

    @strawberry.mutation(
        description="Import a batch of articles (at most 100), each in its own transaction, with "
        "the same metadata and identity rules as `quotegraph import` of JSON Lines."
    )
    async def import_articles(
        self,
        info: Info,
        input: Annotated[list[ArticleInput], strawberry.argument(description="The articles.")],
    ) -> ImportArticlesResult:
        if (denied := authorization_error(info)) is not None:
            return denied
        if len(input) > MAX_BATCH:
            return InvalidInputError(
                message=f"`input` holds {len(input)} articles; send at most {MAX_BATCH} per request", field="input"
            )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + settings.REQUEST_TIMEOUT * BATCH_TIME_SHARE
        results = []
        for index, item in enumerate(input):
            if loop.time() >= deadline:
                results.append(_timed_out(index, "not begun"))
                continue
            try:
                async with asyncio.timeout_at(deadline):
                    result = await _import_item(item, f"input[{index}]")
            except TimeoutError:
                results.append(_timed_out(index, "stopped and rolled back"))
                deadline = loop.time()  # and the rest are not begun
                continue
            results.append(
                ImportArticleOutcome(
                    index=index,
                    status=ImportStatus(result.status.upper()),
                    article_id=result.article_id,
                    quote_count=result.quotes,
                    error=result.error,
                    code=result.code,
                )
            )
        return ImportArticlesSuccess(results=results)

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
            row = await corrections.reattribute_quote(_id(quote, "Quote", "quote"), _id(speaker, "Speaker", "speaker"))
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
