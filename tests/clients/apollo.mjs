// Apollo Client 3 in Node: relayStylePagination() paging nested connections forwards and then
// backwards with fetchMore, and automatic persisted queries (createPersistedQueryLink) over POST
// and over GET.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { describeError, readInput, report } from "./io.mjs";

// Apollo Client 3 ships its entry points as CommonJS directories, which ES module imports cannot name.
const require = createRequire(import.meta.url);
const { ApolloClient, HttpLink, InMemoryCache, gql } = require("@apollo/client/core");
const { relayStylePagination } = require("@apollo/client/utilities");
const { print } = require("graphql");
const { createPersistedQueryLink } = require("@apollo/client/link/persisted-queries");
const { loadDevMessages, loadErrorMessages } = require("@apollo/client/dev");

// Apollo's warnings name their cause on stderr instead of a link to its error decoder.
loadDevMessages();
loadErrorMessages();

const PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }";

const TOP_SPEAKER_QUOTES = gql`
  query TopSpeakerQuotes($first: Int, $after: String, $last: Int, $before: String) {
    speakers(first: 1, orderBy: QUOTE_COUNT_DESC) {
      edges {
        node {
          id
          name
          quotes(first: $first, after: $after, last: $last, before: $before) {
            totalCount
            ${PAGE_INFO}
            edges { cursor node { id text } }
          }
        }
      }
    }
  }
`;

const COUNTRY_SPEAKERS = gql`
  query CountrySpeakers($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    node(id: $id) {
      id
      ... on Country {
        isoCode
        speakers(first: $first, after: $after, last: $last, before: $before) {
          totalCount
          ${PAGE_INFO}
          edges { cursor node { id name } }
        }
      }
    }
  }
`;

const COUNTRIES = gql`
  query Countries {
    countries(first: 100) { edges { node { id isoCode } } }
  }
`;

// The nested connections paged, each in pages small enough to take several requests.
function connections(countryId) {
  return {
    "Speaker.quotes": {
      query: TOP_SPEAKER_QUOTES,
      variables: {},
      page: 2,
      of: (data) => data.speakers.edges[0].node.quotes,
    },
    "Country.speakers": {
      query: COUNTRY_SPEAKERS,
      variables: { id: countryId },
      page: 1,
      of: (data) => data.node.speakers,
    },
  };
}

const TYPE_POLICIES = {
  Speaker: { fields: { quotes: relayStylePagination() } },
  Country: { fields: { speakers: relayStylePagination() } },
};

function client(uri, typePolicies = {}) {
  return new ApolloClient({ link: new HttpLink({ uri, fetch }), cache: new InMemoryCache({ typePolicies }) });
}

function summary(connection, requests) {
  return {
    requests,
    totalCount: connection.totalCount,
    ids: connection.edges.map((edge) => edge.node.id),
    pageInfo: connection.pageInfo,
  };
}

// Pages one way with fetchMore until the connection says there is no more, then reads the list
// relayStylePagination merged back from the cache.
async function page(uri, connection, forwards) {
  const apollo = client(uri, TYPE_POLICIES);
  const first = forwards ? { first: connection.page } : { last: connection.page };
  const observable = apollo.watchQuery({ query: connection.query, variables: { ...connection.variables, ...first } });
  // A watcher, as a component would hold: the merged list reaches getCurrentResult through it.
  let subscription;
  let current = await new Promise((resolve, reject) => {
    subscription = observable.subscribe({ next: (result) => result.loading || resolve(result), error: reject });
  });
  let requests = 1;
  for (;;) {
    const { pageInfo } = connection.of(current.data);
    if (!(forwards ? pageInfo.hasNextPage : pageInfo.hasPreviousPage) || requests > 50) break;
    await observable.fetchMore({
      variables: forwards ? { after: pageInfo.endCursor } : { before: pageInfo.startCursor },
    });
    requests += 1;
    current = observable.getCurrentResult();
  }
  subscription.unsubscribe();
  apollo.stop();
  return summary(connection.of(current.data), requests);
}

// The whole list in one request, for the merged pages to be compared with.
async function whole(uri, connection) {
  const result = await client(uri).query({
    query: connection.query,
    variables: { ...connection.variables, first: 100 },
    fetchPolicy: "no-cache",
  });
  return summary(connection.of(result.data), 1);
}

async function paging(uri) {
  const countries = await client(uri).query({ query: COUNTRIES });
  const us = countries.data.countries.edges.find((edge) => edge.node.isoCode === "US").node;
  const results = {};
  for (const [name, connection] of Object.entries(connections(us.id))) {
    results[name] = {
      page: connection.page,
      whole: await guarded(() => whole(uri, connection)),
      forwards: await guarded(() => page(uri, connection, true)),
      backwards: await guarded(() => page(uri, connection, false)),
    };
  }
  return results;
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
  paging: await guarded(() => paging(url)),
  persistedOverPost: await guarded(() => persisted(url, { TopSpeakerQuotes: print(TOP_SPEAKER_QUOTES) }, false)),
  persistedOverGet: await guarded(() => persisted(url, documents, true)),
});
