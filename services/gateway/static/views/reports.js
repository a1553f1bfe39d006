// Báo cáo tình hình giải quyết văn bản đến (NĐ 30/2020 Phụ lục VI): for a unit and a
// period, per unit or person given work — parts received, done on time, done late,
// still open and overdue. Each number opens the list of documents behind it; the same
// report downloads as XLSX or PDF. The form's choices live in the address
// (#/reports?unit_id=&from=&to=&by=), so a report can be reloaded or shared.

import { api } from "../api.js";
import { alertBox, h, loadingBox, pageHeading, urgencyBadge } from "../dom.js";
import { formatDate, kindLabel, t, todayIso, vietnamFields } from "../i18n.js";
import { currentMembership, user } from "../state.js";
import { dataTable, documentLink, errorPanel, exportButtons, formErrors, formField } from "../widgets.js";

const COLUMNS = ["received", "done_on_time", "done_late", "open", "overdue"];
const VIEWERS = ["head", "unit_head", "clerk", "admin"];   // who may see a unit's report
const PERIODS = ["month", "last_month", "quarter", "year"];
// API field (as named in a 400's `details`) → the id of its control
const FIELD_IDS = { unit_id: "rp-unit", from: "rp-from", to: "rp-to", by: "rp-by-unit" };

/** The units whose report the user may see: where they lead, keep the register or administer. */
function reportUnits() {
  const seen = new Set();
  return (user()?.memberships || []).filter((m) => {
    if (!VIEWERS.includes(m.role) || seen.has(m.unit_id)) return false;
    seen.add(m.unit_id);
    return true;
  });
}

/** A calendar date (UTC fields only, so no zone moves it) as YYYY-MM-DD. */
function iso(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** [from, to] of a named period of Vietnam's calendar (to is never after today). */
function periodDates(period) {
  const today = todayIso();
  const { year: y, month } = vietnamFields(Date.now());
  const m = month - 1;
  const day = (yy, mm, dd) => new Date(Date.UTC(yy, mm, dd));
  if (period === "last_month") return [iso(day(y, m - 1, 1)), iso(day(y, m, 0))];
  if (period === "quarter") return [iso(day(y, m - (m % 3), 1)), today];
  if (period === "year") return [iso(day(y, 0, 1)), today];
  return [iso(day(y, m, 1)), today];
}

const isDate = (value) => /^\d{4}-\d{2}-\d{2}$/.test(value || "");

export function renderReports(view, params, query) {
  const units = reportUnits();
  view.append(pageHeading(t("reportsTitle")), h("p", { class: "muted page-sub" }, t("reportsIntro")));
  if (!units.length) {
    view.append(alertBox("info", h("p", { id: "report-not-allowed" }, t("reportNotAllowed"))));
    return { title: t("reportsTitle") };
  }
  const current = currentMembership();
  const [monthStart, today] = periodDates("month");
  const chosen = {
    unit_id: units.find((m) => m.unit_id === query.get("unit_id"))?.unit_id
      || units.find((m) => m.unit_id === current?.unit_id)?.unit_id || units[0].unit_id,
    from: isDate(query.get("from")) ? query.get("from") : monthStart,
    to: isDate(query.get("to")) ? query.get("to") : today,
    by: query.get("by") === "person" ? "person" : "unit",
  };

  // ------------------------------------------------------------ the form
  const labels = {};
  const unitSelect = h("select", { name: "unit_id" },
    units.map((m) => h("option", { value: m.unit_id, selected: m.unit_id === chosen.unit_id }, m.unit_name)));
  const from = h("input", { type: "date", name: "from", value: chosen.from, max: today });
  const to = h("input", { type: "date", name: "to", value: chosen.to });
  labels["rp-by-unit"] = t("reportBy");
  const byGroup = h("fieldset", { class: "radio-group field" },
    h("legend", {}, t("reportBy")),
    h("p", { class: "field-error", id: "rp-by-unit-error", hidden: true }),
    h("div", { class: "radio-row" }, ["unit", "person"].map((by) => h("label", { class: "radio" },
      h("input", { type: "radio", name: "by", value: by, id: `rp-by-${by}`, checked: chosen.by === by }),
      h("span", {}, t(by === "unit" ? "reportByUnit" : "reportByPerson"))))));
  const presets = h("div", { class: "report-presets", role: "group", "aria-label": t("reportPeriod") },
    h("span", { class: "report-presets-label", "aria-hidden": "true" }, `${t("reportPeriod")}:`),
    PERIODS.map((period) => h("button", {
      type: "button", class: "btn btn-secondary btn-small", id: `rp-period-${period}`,
      onclick: () => {
        [from.value, to.value] = periodDates(period);
        form.requestSubmit();
      },
    }, t(`period_${period}`))));
  const summary = h("div", { class: "error-summary", tabindex: "-1", hidden: true, role: "alert" });
  const show = h("button", { type: "submit", class: "btn btn-primary", id: "report-show" }, t("reportShow"));
  const form = h("form", { class: "panel report-form", id: "report-form", novalidate: true, "aria-label": t("reportsTitle") },
    summary,
    h("div", { class: "report-fields" },
      units.length > 1
        ? formField(labels, "rp-unit", t("reportUnit"), unitSelect)
        : h("div", { class: "field" },
          h("span", { class: "field-label" }, t("reportUnit")),
          h("p", { class: "report-unit-name", id: "rp-unit-name" }, units[0].unit_name),
          h("p", { class: "field-error", id: "rp-unit-error", hidden: true })),
      formField(labels, "rp-from", t("reportFrom"), from),
      formField(labels, "rp-to", t("reportTo"), to),
      byGroup),
    presets,
    h("div", { class: "form-actions" }, show));
  const errors = formErrors(form, summary, {
    labels, heading: t("reportErrorSummary"), controlFor: (key) => FIELD_IDS[key] || null,
  });

  const results = h("div", { class: "report-results", id: "report-results" });
  view.append(form, results);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errors.clear();
    Object.assign(chosen, {
      unit_id: units.length > 1 ? unitSelect.value : units[0].unit_id,
      from: from.value, to: to.value,
      by: form.querySelector("input[name=by]:checked")?.value || "unit",
    });
    // Keep the choices in the address without drawing the screen again.
    history.replaceState(null, "", `#/reports?${new URLSearchParams(chosen).toString()}`);
    load();
  });

  // ------------------------------------------------------------ the report
  let loading = 0;
  async function load() {
    const mine = ++loading;
    const asked = { ...chosen };
    results.replaceChildren(loadingBox());
    show.disabled = true;
    try {
      const report = await api.reportProcessing(asked);
      if (mine === loading) draw(report, asked);
    } catch (error) {
      if (mine !== loading) return;
      if (error.status === 400) {
        results.replaceChildren();
        errors.show(error.message, error.details);
      } else {
        results.replaceChildren(errorPanel(error, load));
      }
    } finally {
      if (mine === loading) show.disabled = false;
    }
  }

  function draw(report, asked) {
    const unitName = units.find((m) => m.unit_id === report.unit_id)?.unit_name || "";
    const by = report.by || asked.by;
    const rows = report.rows || [];
    const drill = h("div", { class: "report-drill", id: "report-drill" });
    let selected = null;     // the number button whose list is open

    const nameOf = (row) => row.name || t(row.kind === "unit" ? "unknownUnit" : "unknownPerson");
    const totalRow = { total: true, name: t("reportTotal"), ...(report.totals || {}) };

    function openList(button, row, column) {
      if (selected) {
        selected.setAttribute("aria-expanded", "false");
        selected.classList.remove("is-selected");
      }
      selected = button;
      button.setAttribute("aria-expanded", "true");
      button.classList.add("is-selected");
      const title = t("reportDrillTitle", t(`col_${column}`), row.total ? t("reportAllHolders") : nameOf(row));
      const docs = row.total
        ? rows.flatMap((r) => (r.documents?.[column] || []).map((d) => ({ ...d, holder: nameOf(r) })))
        : (row.documents?.[column] || []);
      const count = row[column] || 0;
      const columns = [
        { label: t("colUrgency"), className: "col-badge", render: (d) => urgencyBadge(d.urgency) },
        {
          label: t("colSubject"), className: "col-subject", render: (d) => [
            documentLink(d.document_id, d.subject),
            d.code ? h("span", { class: "cell-meta" }, d.code) : null],
        },
        row.total ? { label: t(by === "unit" ? "colHolderUnit" : "colHolderPerson"), render: (d) => d.holder } : null,
        { label: t("colRole"), render: (d) => kindLabel(d.role) },
        { label: t("colDue"), className: "col-date", render: (d) => formatDate(d.due_date) },
        column.startsWith("done_") || column === "received"
          ? { label: t("reportDoneOn"), className: "col-date", render: (d) => formatDate(d.done_on) } : null,
      ].filter(Boolean);
      const close = h("button", {
        type: "button", class: "btn btn-link btn-small", id: "report-drill-close",
        onclick: () => {
          drill.replaceChildren();
          button.setAttribute("aria-expanded", "false");
          button.classList.remove("is-selected");
          selected = null;
          button.focus();
        },
      }, t("reportCloseList"));
      const heading = h("h3", { id: "report-drill-title", tabindex: "-1" }, title);
      drill.replaceChildren(h("section", { class: "panel report-drill-panel", "aria-labelledby": "report-drill-title" },
        h("div", { class: "panel-head" }, heading, close),
        h("p", { class: "muted", id: "report-drill-count" }, t("reportDrillCount", docs.length, count)),
        docs.length ? dataTable(columns, docs, { caption: title }) : h("p", { class: "muted" }, t("reportDrillNone"))));
      heading.focus();
      heading.scrollIntoView({ block: "nearest" });
    }

    const numberCell = (column) => (row) => {
      const value = row[column] || 0;
      if (!value) return h("span", { class: "report-zero" }, "0");
      const name = row.total ? t("reportAllHolders") : nameOf(row);
      const button = h("button", {
        type: "button", class: ["report-count", column === "overdue" && "report-count-alert"],
        dataset: { column }, "aria-expanded": "false", "aria-controls": "report-drill",
        "aria-label": t("reportDrillLabel", value, t(`col_${column}`), name),
        onclick: () => openList(button, row, column),
      }, String(value));
      return button;
    };

    const columns = [
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
    results.replaceChildren(
      h("section", { class: "panel report-panel", "aria-labelledby": "report-title" },
        head,
        h("p", { class: "visually-hidden", role: "status" }, t("reportReady", rows.length)),
        rows.length
          ? dataTable(columns, rows, {
            caption: `${t("reportResultTitle")}: ${subtitle}`, tableClass: "report-table", footer: totalRow,
            rowClass: (row) => (row.overdue && !row.total ? "row-late" : null),
          })
          : h("p", { class: "empty", id: "report-empty" }, t("reportEmpty"))),
      drill);
  }

  load();
  return { title: t("reportsTitle") };
}
