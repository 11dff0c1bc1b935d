// GraphiQL for quotegraph: the IDE, its documentation explorer and the query explorer plugin,
// all from this bundle, so the page works without the internet.
import { explorerPlugin } from "@graphiql/plugin-explorer";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL, HISTORY_PLUGIN } from "graphiql";
import { createRoot } from "react-dom/client";
import "graphiql/style.css";
import "@graphiql/plugin-explorer/style.css";

const WORKERS = { json: "json.worker.js", graphql: "graphql.worker.js" };

globalThis.MonacoEnvironment = {
  getWorker(_id, label) {
    return new Worker(new URL(WORKERS[label] ?? "editor.worker.js", import.meta.url));
  },
};

const DEFAULT_QUERY = `# quotegraph: who said what in the news.
# Ctrl-Enter runs it. Left bar: Docs (the schema), History, Explorer.
{
  articles(first: 5) {
    totalCount
    edges {
      node {
        title
        quotes {
          text
          kind
          speaker { name title country { name } }
        }
      }
    }
  }
}
`;

// The page is served by GET /graphql, so the endpoint is this very URL, without its query string;
// subscriptions go over graphql-transport-ws on the same path.
const url = new URL(window.location.pathname, window.location.href);
const subscriptionUrl = `${url.protocol === "https:" ? "wss:" : "ws:"}//${url.host}${url.pathname}`;
const fetcher = createGraphiQLFetcher({ url: url.pathname, subscriptionUrl });
const plugins = [HISTORY_PLUGIN, explorerPlugin()];
// ?q=<query>&variables=<json> opens the IDE on a query, as strawberry's page does (?query= would
// make GET /graphql run the query instead of serving this page).
const params = new URLSearchParams(window.location.search);

createRoot(document.getElementById("graphiql")).render(
  <GraphiQL
    fetcher={fetcher}
    plugins={plugins}
    defaultQuery={DEFAULT_QUERY}
    initialQuery={params.get("q") ?? undefined}
    initialVariables={params.get("variables") ?? undefined}
    defaultEditorToolsVisibility
  />,
);
