// A graphql-ws client (the graphql-transport-ws protocol) with the `ws` package: the README's
// subscription receives a `next` when an article is imported through the API, and subscriptions
// that fail validation or do not parse end with an `error`, not a bare `complete`.
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { describeError, postGraphQL, readInput, report } from "./io.mjs";

const IMPORT = "mutation ($text: String!) { importArticle(text: $text) { __typename } }";
// The server answers the subscribe message without saying when the subscription is registered, so
// imports repeat (each a new article: an import of known text creates nothing) until an event arrives.
const ATTEMPTS = 10;
const WAIT_MS = 1500;

// A new article each time, even against a database an earlier run imported into.
function article(attempt) {
  return `Harbour reopens, day ${attempt} of run ${process.pid}-${Date.now()}\n“The harbour is open again,” said Mayor Ana Lund.\n`;
}

// One subscription's outcome: its events, then how it ended ("error", "complete", or "open").
function subscribe(client, query) {
  const outcome = { events: [], end: "open", errors: [] };
  let settle;
  outcome.settled = new Promise((resolve) => (settle = resolve));
  outcome.unsubscribe = client.subscribe(
    { query },
    {
      next: (value) => {
        outcome.events.push(value);
        settle();
      },
      error: (error) => {
        Object.assign(outcome, { end: "error", errors: describeError(error) });
        settle();
      },
      complete: () => {
        if (outcome.end === "open") outcome.end = "complete";
        settle();
      },
    },
  );
  return outcome;
}

// Unreferenced: a wait that lost its race must not keep the process alive.
function timeout(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

async function liveEvent(client, url, token, query) {
  const connected = new Promise((resolve) => client.on("connected", resolve));
  const subscription = subscribe(client, query);
  await Promise.race([connected, subscription.settled]);
  const imports = [];
  for (let attempt = 1; attempt <= ATTEMPTS && subscription.end === "open" && !subscription.events.length; attempt++) {
    const result = await postGraphQL(url, { query: IMPORT, variables: { text: article(attempt) } }, {
      authorization: `Bearer ${token}`,
    });
    imports.push(result.data?.importArticle?.__typename ?? describeError(result.errors ?? []));
    await Promise.race([subscription.settled, timeout(WAIT_MS)]);
  }
  subscription.unsubscribe();
  const { events, end, errors } = subscription;
  return { imports, events, end, errors };
}

async function failing(client, query) {
  const subscription = subscribe(client, query);
  await Promise.race([subscription.settled, timeout(10_000)]);
  subscription.unsubscribe();
  const { events, end, errors } = subscription;
  return { events, end, errors };
}

const { url, token, subscription, syntaxError, unknownField } = readInput();
const client = createClient({ url: url.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
report({
  live: await liveEvent(client, url, token, subscription),
  syntaxError: await failing(client, syntaxError),
  unknownField: await failing(client, unknownField),
});
await client.dispose();
