// @ts-check
// A search's hits: facets to narrow them (type, urgency), each hit with its code,
// type, issuer, số đến, state and the snippet with the words marked, and the pager.

import { formatDate } from "../../dates.js";
import { alertBox, fill, h, markedText, urgencyBadge } from "../../dom.js";
import { t } from "../../i18n.js";
import { documentTypeLabel, incomingStateLabel, outgoingStateLabel, urgencyLabel } from "../../labels.js";
import { navigate } from "../../state.js";
import { codeOf, documentLink, exportButtons, outgoingLink, pager } from "../../widgets.js";
import { saveForm } from "./saved.js";
import { NARROWING, searchHash, termsOf } from "./terms.js";

/** @typedef {import("./terms.js").Terms} Terms */
/** What the results need: the terms, the page, its size and what a saved search redraws. @typedef {{values: Terms, page: number, pageSize: number, onSaved: () => void}} ResultsContext */

/** @param {Terms} values @param {string} title @param {string} name @param {Record<string, number>} counts @param {(key: string) => string} labelOf */
function facetGroup(values, title, name, counts, labelOf) {
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

/** When a hit came: an incoming document's arrival date, an outgoing one's issue date. @param {any} item */
function dateOf(item) {
  if (item.direction === "outgoing") return item.issued_date ? `${t("issuedDate")} ${formatDate(item.issued_date)}` : null;
  return item.arrival_date ? `${t("arrivalDate")} ${formatDate(item.arrival_date)}` : null;
}

/** @param {any} item @param {Terms} values */
function hit(item, values) {
  const outgoing = item.direction === "outgoing";
  return h("li", { class: "result" },
    h("div", { class: "result-head" },
      urgencyBadge(item.urgency, { showNormal: false }),
      h("h2", { class: "result-title" }, outgoing ? outgoingLink(item.document_id, item.subject) : documentLink(item.document_id, item.subject))),
    h("p", { class: "result-meta" }, [
      codeOf(item),
      item.document_type_name || (item.document_type ? documentTypeLabel(item.document_type) : null),
      item.issuer_name,
      item.arrival_number != null ? `${t("arrivalShort")} ${item.arrival_number}` : null,
      outgoing ? t("navOutgoing") : null,
      values.sort === "date" ? dateOf(item) : null,
      item.state ? (outgoing ? outgoingStateLabel(item.state, item.state) : incomingStateLabel(item.state)) : null,
    ].filter(Boolean).join(" · ")),
    item.snippet ? h("p", { class: "snippet" }, markedText(item.snippet)) : null);
}

/** Draw `result` into `results`. @param {HTMLElement} results @param {any} result @param {ResultsContext} ctx */
export function drawResults(results, result, { values, page, pageSize, onSaved }) {
  const items = result.items || [];
  const facets = result.facets || {};
  const aside = h("aside", { class: "facets", "aria-label": t("filters") },
    facetGroup(values, t("facetType"), "document_type", facets.document_type, (k) => documentTypeLabel(k)),
    facetGroup(values, t("facetUrgency"), "urgency", facets.urgency, (k) => urgencyLabel(k)),
    NARROWING.some((k) => values[k]) ? h("button", {
      type: "button", class: "btn btn-link btn-small",
      onclick: () => navigate(searchHash({ q: values.q, sort: values.sort })),
    }, t("clearFilters")) : null);
  const list = items.length
    ? h("ol", { class: "result-list", start: String((page - 1) * pageSize + 1) }, items.map((item) => hit(item, values)))
    : h("p", { class: "empty" }, t("noResults"));
  fill(results,
    result.fuzzy && items.length ? alertBox("info", h("p", { id: "search-fuzzy" }, t("searchFuzzy", values.q))) : null,
    h("p", { class: "result-count" }, t("resultsCount", result.total ?? items.length)),
    items.length ? h("div", { class: "search-actions" },
      saveForm(values, onSaved),
      exportButtons({
        path: "/search/export", query: termsOf(values),
        formats: ["xlsx"], idPrefix: "search-export", fallbackName: "ket-qua-tim-kiem",
        text: () => t("exportHits"), label: () => t("exportHits"),
      })) : null,
    h("div", { class: "search-layout" },
      aside,
      h("div", { class: "search-list" }, list,
        pager({ page, pageSize, total: result.total ?? items.length, onPage: (p) => navigate(searchHash(values, p)) }))));
}
