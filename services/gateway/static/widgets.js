// Pieces several views use: a responsive table, a pager, an error panel.

import { alertBox, h } from "./dom.js";
import { t } from "./i18n.js";

/**
 * A table that becomes stacked cards on narrow screens (each cell labelled with
 * its column through data-label). columns: [{key, label, className, render(row)}].
 */
export function dataTable(columns, rows, { caption, rowClass } = {}) {
  return h("div", { class: "table-wrap" },
    h("table", { class: "data-table" },
      caption ? h("caption", { class: "visually-hidden" }, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) =>
        h("th", { scope: "col", class: c.className }, c.label)))),
      h("tbody", {}, rows.map((row) =>
        h("tr", { class: rowClass ? rowClass(row) : null },
          columns.map((c) => h("td", { class: c.className, "data-label": c.label },
            h("div", { class: "cell" }, c.render ? c.render(row) : (row[c.key] ?? t("none"))))))))));
}

/** Previous / next with "page x of y"; hidden when everything fits on one page. */
export function pager({ page, pageSize, total, onPage, noun = "documents" }) {
  const pages = Math.max(1, Math.ceil((total || 0) / (pageSize || 20)));
  const info = h("p", { class: "pager-info", "aria-live": "polite" },
    t(noun === "documents" ? "pageInfo" : "pageInfoItems", page, pages, total || 0));
  if (pages <= 1) return h("div", { class: "pager" }, info);
  return h("nav", { class: "pager", "aria-label": t("pagination") },
    h("button", {
      type: "button", class: "btn btn-secondary", disabled: page <= 1,
      onclick: () => onPage(page - 1),
    }, "‹ ", t("prevPage")),
    info,
    h("button", {
      type: "button", class: "btn btn-secondary", disabled: page >= pages,
      onclick: () => onPage(page + 1),
    }, t("nextPage"), " ›"));
}

/** An error from the API, with a "try again" button when one makes sense. */
export function errorPanel(error, retry) {
  return alertBox("error",
    h("p", {}, error?.message || t("networkError")),
    retry ? h("button", { type: "button", class: "btn btn-secondary btn-small", onclick: retry }, t("retry")) : null);
}

/** A link to a document's detail view. */
export function documentLink(documentId, text) {
  return h("a", { href: `#/documents/${encodeURIComponent(documentId)}`, class: "doc-link" }, text || t("none"));
}

export function codeOf(doc) {
  if (doc.code) return doc.code;
  const parts = [doc.code_number, doc.code_notation].filter(Boolean);
  return parts.length ? parts.join("/") : t("none");
}
