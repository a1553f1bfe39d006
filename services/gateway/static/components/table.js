// @ts-check
// Lists of rows: a table that becomes stacked cards on narrow screens, and its pager.

import { h } from "../dom.js";
import { t } from "../i18n.js";

/**
 * One column: its header, the cell's class and what the cell shows (`render(row)`, else
 * the row's `key`).
 * @typedef {{key?: string, label: string, className?: string, render?: (row: any) => import("../dom.js").Child}} Column
 */

/**
 * A table that becomes stacked cards on narrow screens (each cell labelled with its
 * column through data-label). `footer`: one more row (e.g. the totals), drawn by the
 * same columns.
 * @param {Column[]} columns
 * @param {any[]} rows
 * @param {{caption?: string, rowClass?: (row: any) => string | null, footer?: any, tableClass?: string}} [options]
 */
export function dataTable(columns, rows, { caption, rowClass, footer, tableClass } = {}) {
  /** @param {any} row @param {string} [extraClass] */
  const tr = (row, extraClass) => h("tr", { class: [rowClass ? rowClass(row) : null, extraClass] },
    columns.map((c) => h("td", { class: c.className, "data-label": c.label },
      h("div", { class: "cell" }, c.render ? c.render(row) : (row[c.key] ?? t("none"))))));
  return h("div", { class: "table-wrap" },
    h("table", { class: ["data-table", tableClass] },
      caption ? h("caption", { class: "visually-hidden" }, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) =>
        h("th", { scope: "col", class: c.className }, c.label)))),
      h("tbody", {}, rows.map((row) => tr(row))),
      footer ? h("tfoot", {}, tr(footer, "row-footer")) : null));
}

/**
 * Previous / next with "page x of y"; only the count when everything fits on one page.
 * @param {{page: number, pageSize?: number, total?: number, onPage: (page: number) => void, noun?: string}} options
 */
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
