// The quotegraph reader: articles with their quotes highlighted, speakers, agreements.
// It reads the public GraphQL API (POST /graphql) and nothing else. Routes live in the hash:
// #/  #/article/<id>[/<quote id>]  #/speaker/<id>  #/agreement/<id>

const app = document.getElementById("app");
const PAGE = 20;
// Hues that stay distinct side by side.
const HUES = [212, 28, 140, 285, 48, 340, 180, 95, 250, 0];

const ARTICLES = `query Articles($first: Int!, $after: String) {
  articles(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id title dateline publisher importedAt quotes { id } speakers { id } } }
  }
}`;

const SPEAKER_FIELDS = "id name kind title country { name isoCode }";
const SPAN = "{ start end text }";
const ARTICLE = `query Article($id: ID!) {
  node(id: $id) {
    __typename
    ... on Article {
      id title text dateline publisher importedAt
      quotes { id text kind span ${SPAN} cue ${SPAN} source ${SPAN} speaker { ${SPEAKER_FIELDS} } }
      speakers { ${SPEAKER_FIELDS} }
      countries { name isoCode }
      agreements { id name }
    }
  }
}`;

// Nested lists that grow are connections: a page, its total, and the cursor to the next.
const ARTICLE_PAGE = "totalCount pageInfo { hasNextPage endCursor } edges { node { id title } }";
const QUOTE_PAGE = "totalCount pageInfo { hasNextPage endCursor } edges { node { id text kind article { id title } } }";

const SPEAKER = `query Speaker($id: ID!, $first: Int!) {
  node(id: $id) {
    __typename
    ... on Speaker {
      ${SPEAKER_FIELDS} aliases quoteCount
      quotes(first: $first) { ${QUOTE_PAGE} }
      articles(first: $first) { ${ARTICLE_PAGE} }
    }
  }
}`;

const MORE_QUOTES = `query MoreQuotes($id: ID!, $first: Int!, $after: String!) {
  node(id: $id) { ... on Speaker { quotes(first: $first, after: $after) { ${QUOTE_PAGE} } } }
}`;

const MORE_ARTICLES = `query MoreArticles($id: ID!, $first: Int!, $after: String!) {
  node(id: $id) {
    ... on Speaker { articles(first: $first, after: $after) { ${ARTICLE_PAGE} } }
    ... on Agreement { articles(first: $first, after: $after) { ${ARTICLE_PAGE} } }
  }
}`;

const AGREEMENT = `query Agreement($id: ID!, $first: Int!) {
  node(id: $id) {
    __typename
    ... on Agreement {
      id name
      members { status date country { name isoCode } }
      articles(first: $first) { ${ARTICLE_PAGE} }
    }
  }
}`;

async function gql(query, variables) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok || !body || body.errors) {
    const messages = body?.errors?.map((e) => e.message).join("; ");
    throw new Error(messages || `the API answered HTTP ${response.status}`);
  }
  return body.data;
}

// h("a", {href: "#/"}, "text", child): elements from data, never from HTML strings.
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === "hue") el.style.setProperty("--hue", value);
    else if (key === "onclick") el.addEventListener("click", value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.flat().filter((c) => c != null && c !== false));
  return el;
}

const link = (kind, id, text) => h("a", { href: `#/${kind}/${encodeURIComponent(id)}` }, text);
const label = (kind) => kind.charAt(0) + kind.slice(1).toLowerCase();
const when = (iso) => new Date(iso).toLocaleDateString(undefined, { dateStyle: "medium" });
const country = (c) => (c ? `${c.name} (${c.isoCode})` : null);
const joined = (...parts) => parts.filter(Boolean).join(" · ");

function hashHue(id) {
  let n = 0;
  for (const ch of id) n = (n * 31 + ch.codePointAt(0)) >>> 0;
  return HUES[n % HUES.length];
}

// Each navigation gets a fresh `show`; a slow answer for a page already left renders nothing.
let generation = 0;
function shower() {
  const mine = ++generation;
  return (title, ...children) => {
    if (mine !== generation) return;
    document.title = title ? `${title} · quotegraph` : "quotegraph";
    app.replaceChildren(...children);
  };
}

async function articleList(show) {
  const list = h("ol", { class: "articles" });
  const more = h("button", { class: "more", type: "button", hidden: true }, "More articles");
  const count = h("p", { class: "meta" }, "Loading…");
  show("", h("h1", {}, "Articles"), count, list, more);
  let after = null;
  const load = async () => {
    more.disabled = true;
    const { articles } = await gql(ARTICLES, { first: PAGE, after });
    count.textContent = `${articles.totalCount} article${articles.totalCount === 1 ? "" : "s"}`;
    for (const { node } of articles.edges) {
      list.append(h("li", { class: "panel" },
        link("article", node.id, node.title),
        h("span", { class: "meta" }, joined(
          node.dateline, node.publisher, plural(node.quotes.length, "quote"),
          plural(node.speakers.length, "speaker"), `imported ${when(node.importedAt)}`,
        )),
      ));
    }
    after = articles.pageInfo.endCursor;
    more.disabled = false;
    more.hidden = !articles.pageInfo.hasNextPage;
  };
  more.addEventListener("click", () => load().catch(fail));
  await load();
}

// Splits the text where any quote, cue or source begins or ends, and wraps each piece in the
// marks covering it. Offsets count code points (the API's unit), hence Array.from(text).
function highlight(text, quotes, hueOf, from) {
  const chars = Array.from(text);
  let to = chars.length; // trailing blank lines would pad the panel
  while (to > from && /\s/.test(chars[to - 1])) to--;
  const marks = [];
  quotes.forEach((quote, i) => {
    marks.push({ ...quote.span, part: "quote", i });
    if (quote.cue) marks.push({ ...quote.cue, part: "cue", i });
    if (quote.source) marks.push({ ...quote.source, part: "source", i });
  });
  for (const m of marks) to = Math.max(to, m.end);
  const cuts = new Set([from, to]);
  for (const m of marks) cuts.add(m.start).add(m.end);
  const points = [...cuts].filter((p) => p >= from && p <= to).sort((a, b) => a - b);
  const out = document.createDocumentFragment();
  for (let k = 0; k + 1 < points.length; k++) {
    const [a, b] = [points[k], points[k + 1]];
    const piece = chars.slice(a, b).join("");
    const here = marks.filter((m) => m.start <= a && b <= m.end);
    if (!here.length) {
      out.append(piece);
      continue;
    }
    // Nested quotes: the innermost one colours the piece.
    const inner = here.filter((m) => m.part === "quote").sort((x, y) => x.end - x.start - (y.end - y.start))[0];
    const parts = here.filter((m) => m.part !== "quote");
    let el = piece;
    if (parts.length) {
      const owner = quotes[parts[0].i];
      el = h("span", {
        class: [...new Set(parts.map((m) => m.part))].join(" "),
        "data-q": parts.map((m) => m.i).join(" "),
        hue: hueOf(owner.speaker),
        title: joined(owner.speaker?.name ?? "unattributed", ...new Set(parts.map((m) => m.part))),
      }, piece);
    }
    if (inner) {
      const quote = quotes[inner.i];
      el = h("mark", {
        class: `quote ${quote.kind.toLowerCase()}${quote.speaker ? "" : " unattributed"}`,
        "data-q": inner.i,
        "data-id": quote.id,
        hue: hueOf(quote.speaker),
        title: `${quote.speaker?.name ?? "unattributed"} · ${label(quote.kind)} quote`,
      }, el);
    }
    out.append(el);
  }
  return out;
}

function speakerCard(speaker, hue, detail) {
  return h("div", { class: `card${hue == null ? " named" : ""}`, hue },
    h("div", { class: "name" }, hue != null && h("span", { class: "swatch" }), " ", link("speaker", speaker.id, speaker.name)),
    h("div", { class: "detail" }, joined(speaker.title, country(speaker.country))),
    h("div", { class: "detail" }, joined(label(speaker.kind), detail)),
  );
}

async function articleView(show, id, quoteId) {
  const { node } = await gql(ARTICLE, { id });
  if (node?.__typename !== "Article") return notFound(show, "article");
  // A speaker keeps the hue of its ID across pages unless another speaker here has it already.
  const quoted = [];
  const hues = new Map();
  for (const { speaker } of node.quotes) {
    if (!speaker || hues.has(speaker.id)) continue;
    const taken = new Set(hues.values());
    const start = HUES.indexOf(hashHue(speaker.id));
    const free = HUES.map((_, k) => HUES[(start + k) % HUES.length]).find((hue) => !taken.has(hue));
    hues.set(speaker.id, free ?? hashHue(speaker.id));
    quoted.push(speaker);
  }
  const hueOf = (speaker) => (speaker ? hues.get(speaker.id) : null);
  const counts = (speaker) => node.quotes.filter((q) => q.speaker?.id === speaker.id).length;

  // The title is the text's first line: shown as the heading, so skipped in the body.
  const firstLine = Array.from(node.text.split("\n", 1)[0]).length;
  const starts = node.quotes.flatMap((q) => [q.span, q.cue, q.source]).filter(Boolean).map((s) => s.start);
  const from = node.text.startsWith(node.title) && starts.every((s) => s > firstLine) ? firstLine + 1 : 0;
  const body = h("div", { class: "text panel" }, highlight(node.text, node.quotes, hueOf, from));
  body.addEventListener("mouseover", (event) => {
    for (const el of body.querySelectorAll(".active")) el.classList.remove("active");
    const q = event.target.closest("[data-q]")?.dataset.q.split(" ")[0];
    if (q != null) for (const el of body.querySelectorAll(`[data-q~="${q}"]`)) el.classList.add("active");
  });

  const others = node.speakers.filter((s) => !quoted.some((q) => q.id === s.id));
  const unattributed = node.quotes.filter((q) => !q.speaker).length;
  show(node.title,
    h("h1", {}, node.title),
    h("p", { class: "meta" }, joined(node.dateline, node.publisher, `imported ${when(node.importedAt)}`, plural(node.quotes.length, "quote"))),
    h("div", { class: "article" },
      h("article", {},
        h("p", { class: "legend" },
          h("span", {}, h("mark", { class: "quote", hue: HUES[0] }, "quote"), " (dashed: reported speech)"),
          h("span", {}, h("span", { class: "cue", hue: HUES[0] }, "cue"), " the reporting verb"),
          h("span", {}, h("span", { class: "source", hue: HUES[0] }, "source"), " the speaker as named"),
        ),
        body,
      ),
      h("aside", {},
        h("h2", {}, "Quoted"),
        h("div", { class: "cards quoted" },
          quoted.map((s) => speakerCard(s, hueOf(s), `${counts(s)} quote${counts(s) === 1 ? "" : "s"} here`)),
          unattributed > 0 && h("div", { class: "card unattributed" }, h("div", { class: "name" }, h("span", { class: "swatch" }), " Unattributed"), h("div", { class: "detail" }, plural(unattributed, "quote"))),
        ),
        others.length > 0 && [h("h2", {}, "Also named"), h("div", { class: "cards" }, others.map((s) => speakerCard(s, null, null)))],
        node.agreements.length > 0 && [h("h2", {}, "Agreements"), h("ul", { class: "chips" }, node.agreements.map((a) => h("li", {}, link("agreement", a.id, a.name))))],
        node.countries.length > 0 && [h("h2", {}, "Countries"), h("ul", { class: "chips" }, node.countries.map((c) => h("li", { title: c.isoCode }, c.name)))],
      ),
    ),
  );
  if (quoteId) body.querySelector(`mark[data-id="${CSS.escape(quoteId)}"]`)?.scrollIntoView({ block: "center" });
}

// A connection shown page by page: `render` appends a page's nodes, the button fetches the next
// page after the last cursor with `more(after)`, and hides itself on the last page.
function paged(connection, render, more, label) {
  const button = h("button", { class: "more", type: "button" }, label);
  let after = null;
  const append = (page) => {
    for (const { node } of page.edges) render(node);
    after = page.pageInfo.endCursor;
    button.hidden = !page.pageInfo.hasNextPage;
  };
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      append(await more(after));
    } catch (error) {
      fail(error);
    }
    button.disabled = false;
  });
  append(connection);
  return button;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function articleChips(id, articles) {
  const list = h("ul", { class: "chips articles-of" });
  const more = paged(
    articles,
    (a) => list.append(h("li", {}, link("article", a.id, a.title))),
    async (after) => (await gql(MORE_ARTICLES, { id, first: PAGE, after })).node.articles,
    "More articles",
  );
  return [h("h2", {}, plural(articles.totalCount, "article")), list, more];
}

async function speakerView(show, id) {
  const { node: speaker } = await gql(SPEAKER, { id, first: PAGE });
  if (speaker?.__typename !== "Speaker") return notFound(show, "speaker");
  const hue = hashHue(speaker.id);
  const list = h("ol", { class: "quotes" });
  const more = paged(
    speaker.quotes,
    (q) => list.append(h("li", { class: "panel", hue },
      h("blockquote", {}, q.text),
      h("span", { class: "kind" }, label(q.kind)),
      "in ", h("a", { href: `#/article/${encodeURIComponent(q.article.id)}/${encodeURIComponent(q.id)}` }, q.article.title),
    )),
    async (after) => (await gql(MORE_QUOTES, { id, first: PAGE, after })).node.quotes,
    "More quotes",
  );
  show(speaker.name,
    h("h1", {}, speaker.name),
    h("p", { class: "meta" }, joined(label(speaker.kind), speaker.title, country(speaker.country))),
    speaker.aliases.length > 0 && h("p", { class: "meta" }, `Also written: ${speaker.aliases.join(", ")}`),
    h("h2", {}, plural(speaker.quotes.totalCount, "quote")),
    list, more,
    ...articleChips(id, speaker.articles),
  );
}

async function agreementView(show, id) {
  const { node } = await gql(AGREEMENT, { id, first: PAGE });
  if (node?.__typename !== "Agreement") return notFound(show, "agreement");
  show(node.name,
    h("h1", {}, node.name),
    h("p", { class: "meta" }, node.members.length === 1 ? "1 country" : `${node.members.length} countries`),
    h("table", { class: "members" },
      h("thead", {}, h("tr", {}, h("th", {}, "Country"), h("th", {}, "Status"), h("th", {}, "Since"))),
      h("tbody", {}, node.members.map((m) => h("tr", {},
        h("td", {}, country(m.country)), h("td", {}, label(m.status)), h("td", {}, m.date ?? "—"),
      ))),
    ),
    ...articleChips(id, node.articles),
  );
}

function notFound(show, what) {
  show("Not found", h("h1", {}, "Not found"), h("p", {}, `No ${what} has this ID. `, h("a", { href: "#/" }, "All articles")));
}

function fail(error) {
  app.append(h("p", { class: "error", role: "alert" }, `Could not load: ${error.message}`));
}

const ROUTES = { article: articleView, speaker: speakerView, agreement: agreementView };

async function route() {
  const [kind, ...ids] = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const view = ROUTES[kind];
  const show = shower();
  app.setAttribute("aria-busy", "true");
  try {
    await (view && ids[0] ? view(show, ...ids) : articleList(show));
  } catch (error) {
    show("Error", h("h1", {}, "Something went wrong"), h("p", { class: "error", role: "alert" }, `Could not load: ${error.message}`));
  } finally {
    app.removeAttribute("aria-busy");
    if (!ids[1]) window.scrollTo(0, 0);
  }
}

window.addEventListener("hashchange", route);
route();
