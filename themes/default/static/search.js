// The /search/ page: Pagefind's Default UI, driven by and mirrored in the URL, so a search can be
// bookmarked or shared, and the header's search form (GET {base}search/?q=...) lands on results.
//
// URL parameters: q (the search terms), sort ("newest" or "oldest"; relevance when absent) and any
// other name as a filter, e.g. ?q=diffusion&category=cs.LG&author=Jane+Doe (repeat for several values).
// No inline script: the page loads pagefind-ui.js then this file, so a strict CSP works
// (Pagefind itself needs script-src 'wasm-unsafe-eval' for its WebAssembly, and worker-src 'self').
(function () {
  "use strict";

  var container = document.getElementById("search");
  if (!container || typeof window.PagefindUI !== "function") return;

  // The site may live under a sub-path (https://user.github.io/repo/): the template gives its base.
  var base = container.getAttribute("data-base") || "/";
  if (base.charAt(base.length - 1) !== "/") base += "/";

  var SORTS = {
    relevance: { label: "Relevance", option: null },
    newest: { label: "Newest first", option: { date: "desc" } },
    oldest: { label: "Oldest first", option: { date: "asc" } },
  };
  var RESERVED = { q: true, sort: true };

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

  // The UI takes its sort order only when created, so a new order means a new UI with the same state.
  function start() {
    var first = !ui;
    if (ui) ui.destroy();
    ui = new window.PagefindUI({
      element: "#search",
      bundlePath: base + "pagefind/",
      showSubResults: false,
      showImages: false,
      showEmptyFilters: false,
      openFilters: ["category"],
      excerptLength: 30,
      autofocus: first && !state.term, // not when rebuilt for a new order: focus stays on the select
      sort: SORTS[state.sort].option,
      processTerm: function (term) {
        state.term = (term || "").trim();
        syncUrl();
        return term;
      },
    });
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
      start();
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

  container.parentNode.insertBefore(sortControl(), container);
  fillHeaderSearch();
  start();
})();
