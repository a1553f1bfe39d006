import { api } from "../api.js";
import { alertBox, fill, h, loadingBox, markedText, pageHeading, urgencyBadge } from "../dom.js";
import {
  DOCUMENT_TYPES, URGENCIES, documentTypeLabel, formatDate, incomingStateLabel, lang, outgoingStateLabel, t,
  urgencyLabel,
} from "../i18n.js";
import { navigate, user } from "../state.js";
import { codeOf, documentLink, errorPanel, exportButtons, outgoingLink, pager } from "../widgets.js";

// What the URL, a saved search and an export carry: the words, the filters and the
// order ("sort": absent for the default, best hits first; "date" for newest first).
const FILTERS = ["q", "direction", "document_type", "urgency", "from", "to", "sort"];
const NARROWING = ["direction", "document_type", "urgency", "from", "to"];
const DIRECTIONS = [["incoming", "navIncoming"], ["outgoing", "navOutgoing"]];
const SORTS = [["relevance", "sortRelevance"], ["date", "sortNewest"]];
const PAGE_SIZE = 20;

// The facets of a search's first page, by who searched, its words and its filters (not
// its order or page, which do not change them): a later page asks for none and shows these.
const FACETS_KEPT = 30;
const facetsKept = new Map();

function facetsKey(values) {
  return JSON.stringify([user()?.id || "", ...["q", ...NARROWING].map((k) => values[k] || "")]);
}

function keepFacets(key, facets) {
  facetsKept.delete(key);
  facetsKept.set(key, facets);
  while (facetsKept.size > FACETS_KEPT) facetsKept.delete(facetsKept.keys().next().value);
}

/** The search's terms as the API takes them (nothing empty, no default order). */
function termsOf(values) {
  return Object.fromEntries(FILTERS.filter((k) => values[k]).map((k) => [k, values[k]]));
}

function searchHash(values, page = 1) {
  const params = new URLSearchParams();
  for (const key of FILTERS) if (values[key]) params.set(key, values[key]);
  if (page > 1) params.set("page", String(page));
  const text = params.toString();
  return `#/search${text ? `?${text}` : ""}`;
}

export function renderSearch(view, params, query) {
  const values = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) || ""]));
  if (values.sort === "relevance") values.sort = "";
  const page = Math.max(1, Number.parseInt(query.get("page") || "1", 10) || 1);

  const q = h("input", {
    type: "search", id: "search-q", name: "q", value: values.q, autocomplete: "off", maxlength: "1000",
    required: true, "aria-describedby": "search-hint",
  });
  const direction = h("select", { id: "search-direction", name: "direction" },
    h("option", { value: "" }, t("allDirections")),
    DIRECTIONS.map(([key, label]) => h("option", { value: key, selected: key === values.direction }, t(label))));
  const type = h("select", { id: "search-type", name: "document_type" },
    h("option", { value: "" }, t("allTypes")),
    DOCUMENT_TYPES.map(([key]) => h("option", { value: key, selected: key === values.document_type }, documentTypeLabel(key))));
  const urgency = h("select", { id: "search-urgency", name: "urgency" },
    h("option", { value: "" }, t("allUrgencies")),
    URGENCIES.map((u) => h("option", { value: u, selected: u === values.urgency }, urgencyLabel(u))));
  const from = h("input", { type: "date", id: "search-from", name: "from", value: values.from });
  const to = h("input", { type: "date", id: "search-to", name: "to", value: values.to });
  const sort = h("select", { id: "search-sort", name: "sort" },
    SORTS.map(([key, label]) => h("option", {
      value: key, selected: key === (values.sort || "relevance"),
    }, t(label))));

  const form = h("form", { class: "search-form", role: "search", "aria-label": t("searchTitle") },
    h("div", { class: "search-main" },
      h("div", { class: "field grow" },
        h("label", { for: "search-q" }, t("searchQuery")),
        h("div", { class: "search-box" }, q,
          h("button", { type: "submit", class: "btn btn-primary" }, t("searchButton")))),
      h("p", { class: "hint", id: "search-hint" }, t("searchHint"), " ", t("searchHintPrefix"))),
    h("div", { class: "search-filters" },
      h("div", { class: "field" }, h("label", { for: "search-direction" }, t("searchDirection")), direction),
      h("div", { class: "field" }, h("label", { for: "search-type" }, t("documentType")), type),
      h("div", { class: "field" }, h("label", { for: "search-urgency" }, t("urgency")), urgency),
      h("div", { class: "field" }, h("label", { for: "search-from" }, t("dateFrom")), from),
      h("div", { class: "field" }, h("label", { for: "search-to" }, t("dateTo")), to),
      h("div", { class: "field" }, h("label", { for: "search-sort" }, t("searchSort")), sort)));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(searchHash({
      q: q.value.trim(), direction: direction.value, document_type: type.value, urgency: urgency.value,
      from: from.value, to: to.value, sort: sort.value === "relevance" ? "" : sort.value,
    }));
  });
  for (const select of [direction, type, urgency, sort]) {
    select.addEventListener("change", () => { if (q.value.trim()) form.requestSubmit(); });
  }

  const results = h("div", { class: "search-results", "aria-live": "polite" });
  const saved = h("section", { class: "saved-searches", id: "saved-searches", "aria-labelledby": "saved-title", hidden: true });
  view.append(pageHeading(t("searchTitle")), form, saved, results);
  drawSaved();

  // Saved searches: a name for a search one runs often; each link reruns it.
  async function drawSaved() {
    let items = [];
    try {
      items = (await api.savedSearches()).items || [];
    } catch {
      return;   // the list is a convenience: the search itself still works
    }
    saved.hidden = !items.length;
    saved.replaceChildren(
      h("h2", { id: "saved-title" }, t("savedSearches")),
      h("ul", {}, items.map((item) => h("li", {},
        h("a", { href: searchHash(item.params) }, item.name),
        h("button", {
          type: "button", class: "btn btn-link btn-small", "aria-label": t("forgetSavedSearchLabel", item.name),
          onclick: async () => {
            await api.deleteSavedSearch(item.id);
            drawSaved();
          },
        }, t("forgetSavedSearch"))))));
  }

  function saveForm() {
    const name = h("input", { type: "text", id: "save-name", maxlength: "200", required: true, value: values.q });
    const error = h("p", { class: "field-error", id: "save-name-error", hidden: true });
    const status = h("span", { role: "status", class: "save-status" });
    const box = h("form", { class: "save-search", id: "save-search" },
      h("label", { for: "save-name" }, t("saveSearchName")), name,
      h("button", { type: "submit", class: "btn btn-secondary btn-small" }, t("saveSearch")), status, error);
    box.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      status.textContent = "";
      name.removeAttribute("aria-invalid");
      try {
        await api.saveSearch({ name: name.value.trim(), params: termsOf(values) });
        status.textContent = t("searchSaved");
        drawSaved();
      } catch (failure) {
        error.textContent = failure.details?.name?.[lang()] || failure.message;
        error.hidden = false;
        name.setAttribute("aria-invalid", "true");
        name.setAttribute("aria-describedby", "save-name-error");
      }
    });
    return box;
  }

  // The search service needs words to look for; filters narrow them down.
  if (!values.q) {
    results.append(h("p", { class: "empty" }, t("searchPrompt")));
    return { title: t("searchTitle"), focus: q };
  }

  async function load() {
    results.replaceChildren(loadingBox());
    const key = facetsKey(values);
    const kept = page > 1 ? facetsKept.get(key) : undefined;
    try {
      const result = await api.search({
        ...termsOf(values), page, page_size: PAGE_SIZE, facets: kept ? "false" : undefined,
      });
      if (kept) result.facets = kept;
      else if (result.facets) keepFacets(key, result.facets);
      draw(result);
    } catch (error) {
      results.replaceChildren(errorPanel(error, load));
    }
  }

  function facetGroup(title, name, counts, labelOf) {
    const entries = Object.entries(counts || {}).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
    if (!entries.length) return null;
    return h("section", { class: "facet" },
      h("h2", {}, title),
      h("ul", {}, entries.map(([key, n]) => {
        const active = values[name] === key;
        return h("li", {}, h("button", {
          type: "button", class: ["facet-btn", active && "is-active"], "aria-pressed": active ? "true" : "false",
          onclick: () => navigate(searchHash({ ...values, [name]: active ? "" : key })),
        }, h("span", {}, labelOf(key)), h("span", { class: "count" }, String(n))));
      })));
  }

  /** When a hit came: an incoming document's arrival date, an outgoing one's issue date. */
  function dateOf(item) {
    if (item.direction === "outgoing") return item.issued_date ? `${t("issuedDate")} ${formatDate(item.issued_date)}` : null;
    return item.arrival_date ? `${t("arrivalDate")} ${formatDate(item.arrival_date)}` : null;
  }

  function draw(result) {
    const items = result.items || [];
    const facets = result.facets || {};
    const hasFilter = NARROWING.some((k) => values[k]);
    const aside = h("aside", { class: "facets", "aria-label": t("filters") },
      facetGroup(t("facetType"), "document_type", facets.document_type, (k) => documentTypeLabel(k)),
      facetGroup(t("facetUrgency"), "urgency", facets.urgency, (k) => urgencyLabel(k)),
      hasFilter ? h("button", {
        type: "button", class: "btn btn-link btn-small",
        onclick: () => navigate(searchHash({ q: values.q, sort: values.sort })),
      }, t("clearFilters")) : null);
    const list = items.length
      ? h("ol", { class: "result-list", start: String((page - 1) * PAGE_SIZE + 1) }, items.map((item) =>
        h("li", { class: "result" },
          h("div", { class: "result-head" },
            urgencyBadge(item.urgency, { showNormal: false }),
            h("h2", { class: "result-title" }, item.direction === "outgoing"
              ? outgoingLink(item.document_id, item.subject) : documentLink(item.document_id, item.subject))),
          h("p", { class: "result-meta" },
            [
              codeOf(item),
              item.document_type_name || (item.document_type ? documentTypeLabel(item.document_type) : null),
              item.issuer_name,
              item.arrival_number != null ? `${t("arrivalShort")} ${item.arrival_number}` : null,
              item.direction === "outgoing" ? t("navOutgoing") : null,
              values.sort === "date" ? dateOf(item) : null,
              item.state ? (item.direction === "outgoing"
                ? outgoingStateLabel(item.state, item.state) : incomingStateLabel(item.state)) : null,
            ].filter(Boolean).join(" · ")),
          item.snippet ? h("p", { class: "snippet" }, markedText(item.snippet)) : null)))
      : h("p", { class: "empty" }, t("noResults"));
    fill(results,
      result.fuzzy && items.length ? alertBox("info", h("p", { id: "search-fuzzy" }, t("searchFuzzy", values.q))) : null,
      h("p", { class: "result-count" }, t("resultsCount", result.total ?? items.length)),
      items.length ? h("div", { class: "search-actions" },
        saveForm(),
        exportButtons({
          path: "/search/export", query: termsOf(values),
          formats: ["xlsx"], idPrefix: "search-export", fallbackName: "ket-qua-tim-kiem",
          text: () => t("exportHits"), label: () => t("exportHits"),
        })) : null,
      h("div", { class: "search-layout" },
        aside,
        h("div", { class: "search-list" }, list,
          pager({
            page, pageSize: PAGE_SIZE, total: result.total ?? items.length,
            onPage: (p) => navigate(searchHash(values, p)),
          }))));
  }

  load();
  return { title: t("searchTitle"), focus: q };
}
