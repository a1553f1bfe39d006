// @ts-check
// The documents behind one number of the report: opened under the table by the number's
// button, closed again by its own.

import { formatDate } from "../../dates.js";
import { h, urgencyBadge } from "../../dom.js";
import { t } from "../../i18n.js";
import { kindLabel } from "../../labels.js";
import { dataTable, documentLink } from "../../widgets.js";

/** A row of the report: a unit or person (or the totals) with its counts and documents. @typedef {Record<string, any>} ReportRow */

/** @param {ReportRow} row */
export const nameOf = (row) => row.name || t(row.kind === "unit" ? "unknownUnit" : "unknownPerson");

/** The list's columns. @param {boolean} total @param {string} by @param {string} column */
function columns(total, by, column) {
  return [
    { label: t("colUrgency"), className: "col-badge", render: (d) => urgencyBadge(d.urgency) },
    {
      label: t("colSubject"), className: "col-subject", render: (d) => [
        documentLink(d.document_id, d.subject),
        d.code ? h("span", { class: "cell-meta" }, d.code) : null],
    },
    total ? { label: t(by === "unit" ? "colHolderUnit" : "colHolderPerson"), render: (d) => d.holder } : null,
    { label: t("colRole"), render: (d) => kindLabel(d.role) },
    { label: t("colDue"), className: "col-date", render: (d) => formatDate(d.due_date) },
    column.startsWith("done_") || column === "received"
      ? { label: t("reportDoneOn"), className: "col-date", render: (d) => formatDate(d.done_on) } : null,
  ].filter(Boolean);
}

/**
 * The drill-down: `open(button, row, column)` lists the documents behind a number.
 * @param {ReportRow[]} rows @param {string} by
 */
export function drillDown(rows, by) {
  const element = h("div", { class: "report-drill", id: "report-drill" });
  /** @type {HTMLElement | null} */
  let selected = null;     // the number button whose list is open
  /** @param {HTMLElement | null} button @param {boolean} opened */
  const mark = (button, opened) => {
    button?.setAttribute("aria-expanded", String(opened));
    button?.classList.toggle("is-selected", opened);
  };
  /** @param {HTMLElement} button @param {ReportRow} row @param {string} column */
  function open(button, row, column) {
    mark(selected, false);
    selected = button;
    mark(button, true);
    const title = t("reportDrillTitle", t(`col_${column}`), row.total ? t("reportAllHolders") : nameOf(row));
    const docs = row.total
      ? rows.flatMap((r) => (r.documents?.[column] || []).map((d) => ({ ...d, holder: nameOf(r) })))
      : (row.documents?.[column] || []);
    const close = h("button", {
      type: "button", class: "btn btn-link btn-small", id: "report-drill-close",
      onclick: () => {
        element.replaceChildren();
        mark(button, false);
        selected = null;
        button.focus();
      },
    }, t("reportCloseList"));
    const heading = h("h3", { id: "report-drill-title", tabindex: "-1" }, title);
    element.replaceChildren(h("section", { class: "panel report-drill-panel", "aria-labelledby": "report-drill-title" },
      h("div", { class: "panel-head" }, heading, close),
      h("p", { class: "muted", id: "report-drill-count" }, t("reportDrillCount", docs.length, row[column] || 0)),
      docs.length ? dataTable(columns(Boolean(row.total), by, column), docs, { caption: title }) : h("p", { class: "muted" }, t("reportDrillNone"))));
    heading.focus();
    heading.scrollIntoView({ block: "nearest" });
  }
  return { element, open };
}
