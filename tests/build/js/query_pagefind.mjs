// Query a Pagefind bundle the way the browser does, from Node (18+), and print the answers as JSON.
//
//   node query_pagefind.mjs <bundle URL> <queries JSON>
//
// <bundle URL> is where the site's pagefind/ folder is served over HTTP, e.g.
// http://127.0.0.1:8000/sub/pagefind/ ; <queries JSON> is a list of {"term", "filters"?, "sort"?},
// as Pagefind's search() takes them. Prints {"filters": {...every filter value with its count},
// "queries": [{"term", "count", "hits": [{"url", "title", "filters", "excerpt"}]}]}.
//
// pagefind.js is fetched from the server and imported as a module, so every file it needs (its
// WebAssembly, metadata, index chunks, filters, fragments) is fetched over HTTP as in a browser.
// There is no window in Node, so Pagefind runs on the main thread instead of in its web worker.
const [bundleUrl, queriesJson] = process.argv.slice(2);
if (!bundleUrl || !queriesJson) {
  console.error("usage: node query_pagefind.mjs <bundle URL> <queries JSON>");
  process.exit(2);
}

const response = await fetch(new URL("pagefind.js", bundleUrl));
if (!response.ok) throw new Error(`cannot fetch pagefind.js: HTTP ${response.status}`);
const source = await response.text();
const pagefind = await import("data:text/javascript;base64," + Buffer.from(source).toString("base64"));
// In a browser the base URL of the results is the folder holding pagefind/ (e.g. /sub/); do the same.
await pagefind.options({ basePath: bundleUrl, baseUrl: new URL("..", bundleUrl).pathname });

const queries = [];
for (const { term, ...options } of JSON.parse(queriesJson)) {
  const search = await pagefind.search(term, options);
  const hits = [];
  for (const result of search.results) {
    const data = await result.data();
    hits.push({ url: data.url, title: data.meta.title, filters: data.filters, excerpt: data.excerpt });
  }
  queries.push({ term, count: search.results.length, hits });
}
console.log(JSON.stringify({ filters: await pagefind.filters(), queries }));
