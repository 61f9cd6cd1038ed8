// Query a built site's search index the way the /search/ page does, from Node (18+), and print the
// answers as JSON.
//
//   node query_pagefind.mjs <site URL> <queries JSON>
//
// <site URL> is where the built site is served over HTTP, e.g. http://127.0.0.1:8000/sub/ ;
// <queries JSON> is a list of {"term", "filters"?, "sort"?}, where sort is one of the search page's
// orders ("relevance", the default, "newest", "oldest"). Prints {"parts": [bundle, ...],
// "filters": {...every filter value with its count}, "queries": [{"term", "sort", "count",
// "hits": [{"url", "title", "filters", "excerpt"}]}]}.
//
// Like the page, it reads pagefind/parts.json and asks the theme's search.js (its searchPlan) how to
// load the index for each order; then it makes the calls Pagefind's Default UI makes with those
// settings: options(), mergeIndex() for every other part, search(term, {filters, sort}).
// pagefind.js is fetched from the server and imported as a module (one instance per order, as on
// the page), so every file it needs is fetched over HTTP as in a browser. There is no window in
// Node, so Pagefind runs on the main thread instead of in its web worker.
import { createRequire } from "node:module";

const [siteUrl, queriesJson] = process.argv.slice(2);
if (!siteUrl || !queriesJson) {
  console.error("usage: node query_pagefind.mjs <site URL> <queries JSON>");
  process.exit(2);
}
const require = createRequire(import.meta.url);
const { searchPlan, SORTS } = require("../../../themes/default/static/search.js");

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status}`);
  return response;
}

const listing = await (await fetchOk(new URL("pagefind/parts.json", siteUrl))).json();
const parts = listing.parts; // [{bundle, pages, first, last}], oldest first
const urlBase = new URL(siteUrl).pathname; // result links carry the site's base path, e.g. /sub/

const loaded = new Map(); // order -> the pagefind.js module set up for it
async function pagefindFor(sort) {
  if (!loaded.has(sort)) {
    const plan = searchPlan(parts, sort, siteUrl, urlBase);
    const source = await (await fetchOk(new URL("pagefind.js", plan.bundlePath))).text();
    const unique = `\n// ${plan.module}\n`; // a module instance of its own per order, as in the browser
    const pagefind = await import("data:text/javascript;base64," + Buffer.from(source + unique).toString("base64"));
    // The browser derives basePath from the module's URL; a data: URL has none, so give it.
    await pagefind.options({ ...plan.options, basePath: plan.bundlePath });
    for (const { bundlePath, ...options } of plan.mergeIndex) await pagefind.mergeIndex(bundlePath, options);
    loaded.set(sort, pagefind);
  }
  return loaded.get(sort);
}

const queries = [];
for (const { term, filters = {}, sort = "relevance" } of JSON.parse(queriesJson)) {
  if (!SORTS[sort]) throw new Error(`unknown order ${sort}`);
  const pagefind = await pagefindFor(sort);
  const options = { filters };
  if (SORTS[sort].option) options.sort = SORTS[sort].option;
  const search = await pagefind.search(term, options);
  const hits = [];
  for (const result of search.results) {
    const data = await result.data();
    hits.push({ url: data.url, title: data.meta.title, filters: data.filters, excerpt: data.excerpt });
  }
  queries.push({ term, sort, count: search.results.length, hits });
}
const filters = await (await pagefindFor("relevance")).filters();
console.log(JSON.stringify({ parts: parts.map((part) => part.bundle), filters, queries }));
