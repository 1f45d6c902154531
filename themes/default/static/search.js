// The search page: queries the site's Pagefind index in the browser. Results are content from
// the site's sources, so nothing from the index is ever parsed as HTML: every text goes in as
// a text node, and excerpts are split on the <mark> tags Pagefind adds around matches.

const root = document.getElementById("search");
const form = root.querySelector("form");
const input = root.querySelector("input[name=q]");
const filtersBox = document.getElementById("search-filters");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");

// Results shown at first, and added by each "Show more results".
const PAGE = 20;

// Filter values the reader ticked, by filter name; the count shown beside each value.
const selected = {};
const counts = {};
let pagefind = null;
// Every filter value's count on the whole site.
let totals = {};
let results = [];
let shown = 0;
// Each search's number: a search that a newer one overtook shows nothing.
let latest = 0;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// A result's link: only a path on this site, or an http(s) URL.
function safeUrl(url) {
  try {
    const parsed = new URL(url, document.baseURI);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

// Pagefind's excerpt is the page's text with "<" and ">" escaped and matches in <mark>.
function appendExcerpt(parent, excerpt) {
  let marked = false;
  for (const piece of excerpt.split(/(<\/?mark>)/)) {
    if (piece === "<mark>" || piece === "</mark>") {
      marked = piece === "<mark>";
      continue;
    }
    const text = piece.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
    if (text) parent.append(marked ? el("mark", "", text) : document.createTextNode(text));
  }
}

function resultItem(data) {
  const item = el("li", "search-result");
  const title = el("h2", "search-result-title");
  const label = data.meta.title || data.url;
  const href = safeUrl(data.url);
  if (href) {
    const link = el("a", "", label);
    link.href = href;
    title.append(link);
  } else {
    title.textContent = label;
  }
  item.append(title);
  const facts = [];
  for (const name of ["Platform", "Provision type", "Document type"]) {
    for (const value of data.filters[name] || []) facts.push(value);
  }
  if (facts.length) item.append(el("p", "search-result-meta muted", facts.join(" · ")));
  const excerpt = el("p", "search-result-excerpt");
  appendExcerpt(excerpt, data.excerpt || "");
  item.append(excerpt);
  return item;
}

async function showMore() {
  const next = results.slice(shown, shown + PAGE);
  const run = latest;
  const data = await Promise.all(next.map((r) => r.data()));
  if (run !== latest) return;
  for (const d of data) list.append(resultItem(d));
  shown += next.length;
  more.hidden = shown >= results.length;
}

function hasFilters() {
  return Object.values(selected).some((values) => values.length > 0);
}

function describe(count, term) {
  const n = `${count} result${count === 1 ? "" : "s"}`;
  return term ? `${n} for “${term}”` : n;
}

async function search() {
  const term = input.value.trim();
  const run = ++latest;
  const url = new URL(location.href);
  if (term) url.searchParams.set("q", term);
  else url.searchParams.delete("q");
  history.replaceState(null, "", url);
  if (!term && !hasFilters()) {
    list.replaceChildren();
    more.hidden = true;
    status.textContent = "";
    showCounts(totals);
    return;
  }
  // Without a term, every page with the ticked filters.
  const found = await pagefind.debouncedSearch(term || null, { filters: selected }, 150);
  if (found === null || run !== latest) return;
  results = found.results;
  shown = 0;
  showCounts(found.filters);
  list.replaceChildren();
  status.textContent = describe(results.length, term);
  await showMore();
}

// How many pages of the results (or of the site) have each filter value.
function showCounts(filters) {
  for (const [name, spans] of Object.entries(counts)) {
    for (const [value, span] of Object.entries(spans)) {
      span.textContent = `(${filters[name]?.[value] ?? 0})`;
    }
  }
}

// Filter names and values in the order a reader looks for them ("Platform 2" before
// "Platform 10"): a big site's index comes in shards, each with the values of its own pages.
const collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true });
function inOrder(object) {
  return Object.entries(object).sort(([a], [b]) => collator.compare(a, b));
}

function filterGroup(name, values) {
  const group = el("fieldset", "search-filter");
  group.append(el("legend", "", name));
  selected[name] = [];
  counts[name] = {};
  for (const [value, count] of inOrder(values)) {
    const label = el("label");
    const box = el("input");
    box.type = "checkbox";
    box.value = value;
    box.addEventListener("change", () => {
      selected[name] = Array.from(group.querySelectorAll("input:checked"), (b) => b.value);
      search();
    });
    const tally = el("span", "muted", `(${count})`);
    counts[name][value] = tally;
    const text = el("span", "", `${value} `);
    text.append(tally);
    label.append(box, text);
    group.append(label);
  }
  return group;
}

async function start() {
  const query = new URL(location.href).searchParams.get("q") || "";
  input.value = query;
  try {
    const options = { excerptLength: 30 };
    pagefind = await import(new URL("pagefind.js", new URL(root.dataset.index, document.baseURI)).href);
    await pagefind.options(options);
    // A big site's index is split in shards: the others are merged into the first.
    for (const shard of (root.dataset.merge || "").split(" ").filter(Boolean)) {
      await pagefind.mergeIndex(new URL(shard, document.baseURI).href, options);
    }
  } catch {
    status.textContent = "The search index could not be loaded. (The preview server makes it in the background after each change: reload in a moment.)";
    return;
  }
  totals = await pagefind.filters();
  for (const [name, values] of inOrder(totals)) {
    if (Object.keys(values).length > 0) filtersBox.append(filterGroup(name, values));
  }
  filtersBox.hidden = Object.keys(counts).length === 0;
  // Open beside the results; folded above them on a narrow screen.
  filtersBox.open = matchMedia("(min-width: 52rem)").matches;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  input.addEventListener("input", search);
  more.addEventListener("click", showMore);
  root.dataset.ready = "true";
  if (query) await search();
}

start();
