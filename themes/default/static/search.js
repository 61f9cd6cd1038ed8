// The /search/ page: Pagefind's Default UI, driven by and mirrored in the URL, so a search can be
// bookmarked or shared, and the header's search form (GET {base}search/?q=...) lands on results.
//
// URL parameters: q (the search terms), sort ("newest" or "oldest"; relevance when absent) and any
// other name as a filter, e.g. ?q=diffusion&category=cs.LG&author=Jane+Doe (repeat for several values).
// No inline script: the page loads pagefind-ui.js then this file, so a strict CSP works
// (Pagefind itself needs script-src 'wasm-unsafe-eval' for its WebAssembly, and worker-src 'self').
//
// A large site's index comes in parts ({base}pagefind/parts.json lists their bundles, oldest
// first, with their page counts; see site_builder/search_parts.py), which the UI merges into one
// search. The parts cover disjoint date ranges. For relevance, the parts merge by score as Pagefind
// intends. For a date order, Pagefind's merged search would interleave the parts: it orders results
// by score times the part's indexWeight, and under a sort a result's score is its page's position
// in its own part's date order (1 to n: the build keeps 0 free; negated when oldest first). So we
// weigh each part more than all older parts' positions together: weight(part) = weight(previous) *
// (pages(previous) + 1). Then every score of a newer part is above (newest first) or below (oldest
// first) every score of an older one, and the merged order is the global date order. Starting at
// 1e-300, the weights stay finite up to ~180 parts of 2,000 pages.
(function () {
  "use strict";

  var SORTS = {
    relevance: { label: "Relevance", option: null },
    newest: { label: "Newest first", option: { date: "desc" } },
    oldest: { label: "Oldest first", option: { date: "asc" } },
  };
  var EXCERPT_LENGTH = 30;

  // Part weights for the date orders (see above); null if they would not fit in a double.
  function dateWeights(parts) {
    var weights = [];
    var weight = 1e-300;
    for (var i = 0; i < parts.length; i++) {
      if (!isFinite(weight * ((parts[i].pages || 0) + 1))) return null;
      weights.push(weight);
      weight *= (parts[i].pages || 0) + 1;
    }
    return weights;
  }

  // How the Default UI loads the index for an order: the bundle it starts from (primary) and the
  // parts it merges, with their options. `parts`: [{bundle, pages}] as in parts.json, oldest first,
  // bundles relative to the site; `base`: where the site's files are fetched from; `urlBase`: the
  // site's base path, for result links.
  // `uiBundlePath` is what the UI is given: it imports uiBundlePath + "pagefind.js" (= `module`),
  // the primary's pagefind.js with the order as a fragment: the same file, but a module instance of
  // its own per order. pagefind.js keeps its state in the module, and a destroyed UI clears that
  // state asynchronously, so the UI built for a new order must not share the module with the old one.
  function searchPlan(parts, sort, base, urlBase) {
    var weights = SORTS[sort] && SORTS[sort].option ? dateWeights(parts) : null;
    var bundles = parts.map(function (part, i) {
      var options = { baseUrl: urlBase, excerptLength: EXCERPT_LENGTH };
      if (weights) options.indexWeight = weights[i];
      return { bundlePath: base + part.bundle, options: options };
    });
    var primary = bundles.pop(); // the newest part
    var uiBundlePath = primary.bundlePath + "pagefind.js#" + sort + "-";
    return {
      bundlePath: primary.bundlePath,
      uiBundlePath: uiBundlePath,
      module: uiBundlePath + "pagefind.js",
      options: primary.options,
      mergeIndex: bundles.map(function (bundle) {
        var merged = { bundlePath: bundle.bundlePath };
        Object.keys(bundle.options).forEach(function (name) {
          merged[name] = bundle.options[name];
        });
        return merged;
      }),
    };
  }

  // Node (the build tests) loads this file to query a built index with the very same plan.
  if (typeof module === "object" && module && module.exports) {
    module.exports = { searchPlan: searchPlan, SORTS: SORTS };
  }
  if (typeof document === "undefined") return;

  var container = document.getElementById("search");
  if (!container || typeof window.PagefindUI !== "function") return;

  // The site may live under a sub-path (https://user.github.io/repo/): the template gives its base.
  var base = container.getAttribute("data-base") || "/";
  if (base.charAt(base.length - 1) !== "/") base += "/";
  var RESERVED = { q: true, sort: true };
  var SINGLE_BUNDLE = [{ bundle: "pagefind/", pages: 0 }];

  var params = new URLSearchParams(window.location.search);
  var state = {
    term: (params.get("q") || "").trim(),
    sort: SORTS.hasOwnProperty(params.get("sort")) ? params.get("sort") : "relevance",
    filters: filtersFromParams(params),
  };
  var ui = null;

  function filtersFromParams(p) {
    var filters = {};
    p.forEach(function (value, name) {
      if (RESERVED[name] || value === "") return;
      (filters[name] = filters[name] || []).push(value);
    });
    return filters;
  }

  // Write the state into the address bar without adding history entries on every keystroke.
  function syncUrl() {
    var p = new URLSearchParams();
    if (state.term) p.set("q", state.term);
    if (state.sort !== "relevance") p.set("sort", state.sort);
    Object.keys(state.filters).sort().forEach(function (name) {
      state.filters[name].forEach(function (value) {
        p.append(name, value);
      });
    });
    var query = p.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    if (url === window.location.pathname + window.location.search + window.location.hash) return;
    try {
      window.history.replaceState(null, "", url);
    } catch (error) {
      // Safari throttles replaceState; a stale address bar is better than a broken search.
    }
  }

  // The Default UI has no filter-change callback; its checkboxes carry the filter as name/value.
  function readCheckedFilters() {
    var filters = {};
    var boxes = container.querySelectorAll("input.pagefind-ui__filter-checkbox:checked");
    Array.prototype.forEach.call(boxes, function (box) {
      (filters[box.name] = filters[box.name] || []).push(box.value);
    });
    return filters;
  }

  // processTerm (below) sees every search, but the UI does not search for an emptied box.
  function clearTerm() {
    state.term = "";
    syncUrl();
  }
  container.addEventListener("input", function (event) {
    var target = event.target;
    if (target && target.classList && target.classList.contains("pagefind-ui__search-input") && !target.value.trim()) {
      clearTerm();
    }
  });
  container.addEventListener("click", function (event) {
    if (event.target && event.target.closest && event.target.closest(".pagefind-ui__search-clear")) clearTerm();
  });

  container.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.classList && target.classList.contains("pagefind-ui__filter-checkbox")) {
      state.filters = readCheckedFilters();
      syncUrl();
    }
  });

  // The parts of the index, oldest first; one bundle if the list cannot be had (an older build).
  function loadParts() {
    if (typeof fetch !== "function") return Promise.resolve(SINGLE_BUNDLE);
    return fetch(base + "pagefind/parts.json", { cache: "no-cache" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (listing) {
        var parts = (listing && listing.parts) || [];
        return parts.length ? parts : SINGLE_BUNDLE;
      })
      .catch(function () {
        return SINGLE_BUNDLE;
      });
  }

  // Pagefind's input has only a title and a placeholder; give it a name that assistive technology
  // reads as its label (axe: label-title-only).
  function labelSearchInput() {
    var input = container.querySelector(".pagefind-ui__search-input");
    if (input) input.setAttribute("aria-label", "Search papers");
  }

  // The UI takes its sort order only when created, so a new order means a new UI with the same state.
  function start(parts) {
    var first = !ui;
    if (ui) ui.destroy();
    var plan = searchPlan(parts, state.sort, base, base);
    var settings = {
      element: "#search",
      bundlePath: plan.uiBundlePath,
      mergeIndex: plan.mergeIndex,
      showSubResults: false,
      showImages: false,
      showEmptyFilters: false,
      openFilters: ["category"],
      autofocus: first && !state.term, // not when rebuilt for a new order: focus stays on the select
      sort: SORTS[state.sort].option,
      processTerm: function (term) {
        state.term = (term || "").trim();
        syncUrl();
        return term;
      },
    };
    // excerptLength is the UI's own option; the others go to the primary bundle's Pagefind.
    Object.keys(plan.options).forEach(function (name) {
      settings[name] = plan.options[name];
    });
    ui = new window.PagefindUI(settings);
    labelSearchInput();
    if (Object.keys(state.filters).length) ui.triggerFilters(state.filters);
    if (state.term) ui.triggerSearch(state.term);
  }

  function sortControl() {
    var wrapper = document.createElement("div");
    wrapper.className = "search-sort";
    var label = document.createElement("label");
    label.setAttribute("for", "search-sort");
    label.textContent = "Sort by";
    var select = document.createElement("select");
    select.id = "search-sort";
    Object.keys(SORTS).forEach(function (key) {
      var option = document.createElement("option");
      option.value = key;
      option.textContent = SORTS[key].label;
      option.selected = key === state.sort;
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      state.sort = select.value;
      state.filters = readCheckedFilters();
      syncUrl();
      partsLoaded.then(start);
    });
    wrapper.appendChild(label);
    wrapper.appendChild(select);
    return wrapper;
  }

  // The header's search box shows the terms being searched on this page, too.
  function fillHeaderSearch() {
    var inputs = document.querySelectorAll('form[role="search"] input[name="q"]');
    Array.prototype.forEach.call(inputs, function (input) {
      if (!input.value) input.value = state.term;
    });
  }

  var partsLoaded = loadParts();
  container.parentNode.insertBefore(sortControl(), container);
  fillHeaderSearch();
  partsLoaded.then(start);
})();
