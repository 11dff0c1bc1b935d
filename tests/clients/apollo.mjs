// Apollo Client 3 in Node: relayStylePagination() paging a nested connection forwards and then
// backwards with fetchMore, and automatic persisted queries (createPersistedQueryLink) over GET.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { describeError, readInput, report } from "./io.mjs";

// Apollo Client 3 ships its entry points as CommonJS directories, which ES module imports cannot name.
const require = createRequire(import.meta.url);
const { ApolloClient, HttpLink, InMemoryCache, gql } = require("@apollo/client/core");
const { relayStylePagination } = require("@apollo/client/utilities");
const { print } = require("graphql");
const { createPersistedQueryLink } = require("@apollo/client/link/persisted-queries");

const PAGE = 2;

const TOP_SPEAKER_QUOTES = gql`
  query TopSpeakerQuotes($first: Int, $after: String, $last: Int, $before: String) {
    speakers(first: 1, orderBy: QUOTE_COUNT_DESC) {
      edges {
        node {
          id
          name
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

function paginatingClient(uri) {
  const cache = new InMemoryCache({ typePolicies: { Speaker: { fields: { quotes: relayStylePagination() } } } });
  return new ApolloClient({ link: new HttpLink({ uri, fetch }), cache });
}

function quotesOf(result) {
  return result.data.speakers.edges[0].node.quotes;
}

function summary(connection, requests) {
  return {
    requests,
    ids: connection.edges.map((edge) => edge.node.id),
    texts: connection.edges.map((edge) => edge.node.text),
    pageInfo: connection.pageInfo,
  };
}

// Pages one way until the connection says there is no more, then reads the merged list back.
async function page(uri, forwards) {
  const client = paginatingClient(uri);
  const observable = client.watchQuery({
    query: TOP_SPEAKER_QUOTES,
    variables: forwards ? { first: PAGE } : { last: PAGE },
  });
  let current = await observable.result();
  let requests = 1;
  for (;;) {
    const { pageInfo } = quotesOf(current);
    if (!(forwards ? pageInfo.hasNextPage : pageInfo.hasPreviousPage) || requests > 50) break;
    await observable.fetchMore({
      variables: forwards ? { after: pageInfo.endCursor } : { before: pageInfo.startCursor },
    });
    requests += 1;
    current = observable.getCurrentResult();
  }
  const merged = summary(quotesOf(current), requests);
  client.stop();
  return merged;
}

async function wholeList(uri) {
  const client = new ApolloClient({ link: new HttpLink({ uri, fetch }), cache: new InMemoryCache() });
  const result = await client.query({ query: TOP_SPEAKER_QUOTES, variables: { first: 100 }, fetchPolicy: "no-cache" });
  const speaker = result.data.speakers.edges[0].node;
  return { speaker: speaker.name, totalCount: speaker.quotes.totalCount, ...summary(speaker.quotes, 1) };
}

function recordingFetch(log) {
  return async (input, init = {}) => {
    const target = new URL(String(input));
    const body = init.body ? JSON.parse(init.body) : null;
    const response = await fetch(input, init);
    const payload = await response.clone().json().catch(() => null);
    log.push({
      method: init.method ?? "GET",
      sentQuery: Boolean(body?.query ?? target.searchParams.get("query")),
      sentHash: Boolean(
        body?.extensions?.persistedQuery?.sha256Hash ?? target.searchParams.get("extensions")?.includes("sha256Hash"),
      ),
      status: response.status,
      errors: (payload?.errors ?? []).map((e) => e.extensions?.code ?? e.message),
      hasData: Boolean(payload?.data),
    });
    return response;
  };
}

// Each document twice through the APQ link: the first time the server does not know the hash and
// the link retries with the text; the second time the hash alone is enough. The server keeps what it
// learnt, so each mode is given documents of its own.
async function persisted(uri, documents, useGETForHashedQueries) {
  const results = {};
  for (const [name, text] of Object.entries(documents)) {
    const log = [];
    const link = createPersistedQueryLink({
      sha256: (query) => createHash("sha256").update(query).digest("hex"),
      useGETForHashedQueries,
    }).concat(new HttpLink({ uri, fetch: recordingFetch(log) }));
    const client = new ApolloClient({ link, cache: new InMemoryCache() });
    const rounds = [];
    for (let round = 0; round < 2; round++) {
      try {
        const result = await client.query({ query: gql(text), fetchPolicy: "network-only" });
        rounds.push({ data: result.data, errors: describeError(result.errors ?? []) });
      } catch (error) {
        rounds.push({ data: null, errors: describeError(error) });
      }
    }
    results[name] = { requests: log, rounds };
    client.stop();
  }
  return results;
}

async function guarded(run) {
  try {
    return await run();
  } catch (error) {
    return { error: describeError(error) };
  }
}

const { url, documents } = readInput();
report({
  whole: await guarded(() => wholeList(url)),
  forwards: await guarded(() => page(url, true)),
  backwards: await guarded(() => page(url, false)),
  persistedOverPost: await guarded(() => persisted(url, { TopSpeakerQuotes: print(TOP_SPEAKER_QUOTES) }, false)),
  persistedOverGet: await guarded(() => persisted(url, documents, true)),
});
