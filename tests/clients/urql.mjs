// urql with Graphcache: relayPagination() merging the pages of a nested connection fetched
// forwards and then backwards, and the README's operations through the normalised cache, which
// is given the live introspection as its schema.
import { Client, fetchExchange, gql } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { relayPagination } from "@urql/exchange-graphcache/extras";
import { getIntrospectionQuery } from "graphql";
import { describeError, postGraphQL, readInput, report } from "./io.mjs";

const PAGE = 2;

const TOP_SPEAKER_QUOTES = gql`
  query TopSpeakerQuotes($first: Int, $after: String, $last: Int, $before: String) {
    speakers(first: 1, orderBy: QUOTE_COUNT_DESC) {
      edges {
        node {
          id
          quotes(first: $first, after: $after, last: $last, before: $before) {
            totalCount
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
            edges { cursor node { id text } }
          }
        }
      }
    }
  }
`;

function client(url, schema) {
  const cache = cacheExchange({ schema, resolvers: { Speaker: { quotes: relayPagination() } } });
  return new Client({ url, exchanges: [cache, fetchExchange], preferGetMethod: false });
}

// Asks for each next page with new variables, as a "load more" button does; relayPagination
// answers each query with every page cached so far, in order.
async function page(url, schema, forwards) {
  const urql = client(url, schema);
  let variables = forwards ? { first: PAGE } : { last: PAGE };
  for (let requests = 1; requests <= 50; requests++) {
    const result = await urql.query(TOP_SPEAKER_QUOTES, variables).toPromise();
    if (result.error) return { error: describeError(result.error) };
    const quotes = result.data.speakers.edges[0].node.quotes;
    const { pageInfo } = quotes;
    if (!(forwards ? pageInfo.hasNextPage : pageInfo.hasPreviousPage)) {
      return { requests, ids: quotes.edges.map((edge) => edge.node.id), pageInfo };
    }
    variables = forwards ? { first: PAGE, after: pageInfo.endCursor } : { last: PAGE, before: pageInfo.startCursor };
  }
  return { error: ["no last page after 50 requests"] };
}

// The whole list in one request, without Graphcache, for the merged pages to be compared with.
async function whole(url) {
  const urql = new Client({ url, exchanges: [fetchExchange] });
  const result = await urql.query(TOP_SPEAKER_QUOTES, { first: 100 }).toPromise();
  if (result.error) return { error: describeError(result.error) };
  return { ids: result.data.speakers.edges[0].node.quotes.edges.map((edge) => edge.node.id) };
}

async function documents(url, schema, texts) {
  const urql = client(url, schema);
  const results = {};
  for (const [name, text] of Object.entries(texts)) {
    const result = await urql.query(text, {}, { requestPolicy: "network-only" }).toPromise();
    results[name] = { hasData: Boolean(result.data), errors: result.error ? describeError(result.error) : [] };
  }
  return results;
}

const { url, documents: texts } = readInput();
const introspection = await postGraphQL(url, { query: getIntrospectionQuery() });
const schema = introspection.data;
report({
  introspectionErrors: describeError(introspection.errors ?? []),
  whole: await whole(url),
  forwards: await page(url, schema, true),
  backwards: await page(url, schema, false),
  documents: await documents(url, schema, texts),
});
