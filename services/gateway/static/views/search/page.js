// @ts-check
// Tìm kiếm: full-text search over the documents the caller may read, narrowed by
// filters and facets, ordered by relevance or date, saved, rerun and exported.

import { api } from "../../api.js";
import { h, loadingBox, pageHeading } from "../../dom.js";
import { t } from "../../i18n.js";
import { errorPanel } from "../../widgets.js";
import { searchForm } from "./form.js";
import { drawResults } from "./results.js";
import { savedSearches } from "./saved.js";
import { FILTERS, keepFacets, keptFacets, termsOf } from "./terms.js";

const PAGE_SIZE = 20;

/** #/search. @param {HTMLElement} view @param {Record<string, string>} params @param {URLSearchParams} query */
export function renderSearch(view, params, query) {
  const values = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) || ""]));
  if (values.sort === "relevance") values.sort = "";
  const page = Math.max(1, Number.parseInt(query.get("page") || "1", 10) || 1);
  const { form, q } = searchForm(values);
  const results = h("div", { class: "search-results", "aria-live": "polite" });
  const saved = savedSearches();
  view.append(pageHeading(t("searchTitle")), form, saved.element, results);
  saved.draw();

  // The search service needs words to look for; filters narrow them down.
  if (!values.q) {
    results.append(h("p", { class: "empty" }, t("searchPrompt")));
    return { title: t("searchTitle"), focus: q };
  }

  async function load() {
    results.replaceChildren(loadingBox());
    const kept = page > 1 ? keptFacets(values) : undefined;
    try {
      const result = await api.search({
        ...termsOf(values), page, page_size: PAGE_SIZE, facets: kept ? "false" : undefined,
      });
      if (kept) result.facets = kept;
      else if (result.facets) keepFacets(values, result.facets);
      drawResults(results, result, { values, page, pageSize: PAGE_SIZE, onSaved: saved.draw });
    } catch (error) {
      results.replaceChildren(errorPanel(error, load));
    }
  }

  load();
  return { title: t("searchTitle"), focus: q };
}
