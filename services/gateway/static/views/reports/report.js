// @ts-check
// The report itself: per unit or person given work, parts received, done on time, done
// late, still open and overdue, with the totals; each number opens the documents behind
// it; the same report downloads as XLSX or PDF.

import { formatDate } from "../../dates.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { dataTable, exportButtons } from "../../widgets.js";
import { drillDown, nameOf } from "./drill.js";

/** @typedef {import("./drill.js").ReportRow} ReportRow */

const COLUMNS = ["received", "done_on_time", "done_late", "open", "overdue"];

/** The table's columns; a number is a button opening its documents. @param {ReportRow[]} rows @param {string} by @param {ReturnType<typeof drillDown>} drill */
function columns(rows, by, drill) {
  /** @param {string} column */
  const numberCell = (column) => (/** @type {ReportRow} */ row) => {
    const value = row[column] || 0;
    if (!value) return h("span", { class: "report-zero" }, "0");
    const button = h("button", {
      type: "button", class: ["report-count", column === "overdue" && "report-count-alert"],
      dataset: { column }, "aria-expanded": "false", "aria-controls": "report-drill",
      "aria-label": t("reportDrillLabel", value, t(`col_${column}`), row.total ? t("reportAllHolders") : nameOf(row)),
      onclick: () => drill.open(button, row, column),
    }, String(value));
    return button;
  };
  return [
    { label: t("colSeq"), className: "col-seq", render: (row) => (row.total ? "" : String(rows.indexOf(row) + 1)) },
    {
      label: t(by === "unit" ? "colHolderUnit" : "colHolderPerson"), className: "col-holder",
      render: (row) => (row.total ? h("strong", {}, row.name) : [
        h("span", { class: "report-holder" }, nameOf(row)),
        by === "unit" ? h("span", { class: "cell-meta" }, t(row.kind === "unit" ? "assigneeUnit" : "assigneePerson")) : null]),
    },
    ...COLUMNS.map((column) => ({
      label: t(`col_${column}`), className: `col-count col-${column}`, render: numberCell(column),
    })),
  ];
}

/**
 * The report's panel and its drill-down.
 * @param {any} report @param {Record<string, string>} asked what was asked (unit_id, from, to, by) @param {string} unitName
 */
export function reportPanels(report, asked, unitName) {
  const by = report.by || asked.by;
  const rows = report.rows || [];
  const drill = drillDown(rows, by);
  const subtitle = t("reportSubtitle", unitName, formatDate(report.from), formatDate(report.to),
    t(by === "unit" ? "reportByUnit" : "reportByPerson").toLowerCase());
  const head = h("div", { class: "panel-head" },
    h("div", {},
      h("h2", { id: "report-title" }, t("reportResultTitle")),
      h("p", { class: "muted report-subtitle", id: "report-subtitle" }, subtitle)),
    exportButtons({
      path: "/reports/processing/export", query: asked, formats: ["xlsx", "pdf"], idPrefix: "report-export",
      text: (format) => t("exportReport", format), label: (format) => t("exportReportLabel", format),
      fallbackName: `bao-cao-xu-ly-${asked.from}-${asked.to}`,
    }));
  return [
    h("section", { class: "panel report-panel", "aria-labelledby": "report-title" },
      head,
      h("p", { class: "visually-hidden", role: "status" }, t("reportReady", rows.length)),
      rows.length
        ? dataTable(columns(rows, by, drill), rows, {
          caption: `${t("reportResultTitle")}: ${subtitle}`, tableClass: "report-table",
          footer: { total: true, name: t("reportTotal"), ...(report.totals || {}) },
          rowClass: (row) => (row.overdue && !row.total ? "row-late" : null),
        })
        : h("p", { class: "empty", id: "report-empty" }, t("reportEmpty"))),
    drill.element,
  ];
}
