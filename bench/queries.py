"""The GraphQL documents the HTTP benchmarks send (bench/http.py, bench/load.py, bench/scale.py)."""

from __future__ import annotations

import base64
import json
from typing import Any

ARTICLE_PAGE = """
query ArticlePage {
  articles(first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        title
        dateline
        quotes {
          text
          kind
          cue { text }
          source { text }
          speaker { name title country { name isoCode } }
        }
        countries { name isoCode }
      }
    }
  }
}
"""

ARTICLE_BY_ID = """
query Article($id: ID!) {
  node(id: $id) {
    id
    ... on Article {
      title
      dateline
      quoteCount
      quotes {
        text
        kind
        span { start end }
        cue { text }
        source { text }
        speaker { name title country { name isoCode } }
      }
      countries { name isoCode }
    }
  }
}
"""

SPEAKER_PAGE = """
query SpeakerPage {
  speakers(first: 10, orderBy: QUOTE_COUNT_DESC) {
    totalCount
    edges {
      node {
        name
        kind
        title
        quoteCount
        country { name isoCode }
        quotes(first: 5) {
          totalCount
          edges { node { text kind article { title } } }
        }
      }
    }
  }
}
"""

DEEP = """
query Deep {
  articles(first: 5) {
    edges {
      node {
        title
        quotes {
          text
          speaker {
            name
            country { name }
            quotes(first: 3) {
              edges {
                node {
                  text
                  article { title countries { isoCode } speakers { name kind } }
                }
              }
            }
          }
        }
      }
    }
  }
}
"""

# The same shape at the breadth the cost limit still lets through (see BENCHMARKS.md: ~2 MB).
DEEP_WIDE = DEEP.replace("articles(first: 5)", "articles(first: 5, orderBy: QUOTE_COUNT_DESC)").replace(
    "quotes(first: 3)", "quotes(first: 5)"
)

ARTICLE_IDS = """
query Ids($after: String) {
  articles(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id } }
  }
}
"""

IMPORT_ARTICLE = """
mutation Import($text: String!, $title: String) {
  importArticle(text: $text, title: $title) {
    __typename
    ... on ImportArticleSuccess { created quoteCount article { id title } }
    ... on InvalidArticleError { message }
    ... on NotAuthorizedError { message }
  }
}
"""

IMPORT_ARTICLES = """
mutation ImportMany($input: [ArticleInput!]!) {
  importArticles(input: $input) {
    __typename
    ... on ImportArticlesSuccess { results { index status error article { externalId } } }
    ... on InvalidInputError { message }
    ... on NotAuthorizedError { message }
  }
}
"""


def body(query: str, variables: dict[str, Any] | None = None) -> str:
    """A request body as one line: compact JSON, the query's whitespace folded."""
    folded = " ".join(query.split())
    return json.dumps({"query": folded, "variables": variables or {}}, separators=(",", ":"))


def global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()
