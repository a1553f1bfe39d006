// @ts-check
// Báo cáo tình hình giải quyết văn bản đến (NĐ 30/2020 Phụ lục VI): for a unit and a
// period, per unit or person given work (report.js). The form's choices live in the
// address (#/reports?unit_id=&from=&to=&by=), so a report can be reloaded or shared.

import { api } from "../../api.js";
import { alertBox, h, loadingBox, pageHeading } from "../../dom.js";
import { t } from "../../i18n.js";
import { currentMembership, user } from "../../state.js";
import { dateField, dateProblems, errorPanel, errorSummary, formErrors, formField } from "../../widgets.js";
import { PERIODS, periodDates } from "./periods.js";
import { reportPanels } from "./report.js";

const VIEWERS = ["head", "unit_head", "clerk", "admin"];   // who may see a unit's report
// API field (as named in a 400's `details`) → the id of its control
const FIELD_IDS = { unit_id: "rp-unit", from: "rp-from", to: "rp-to", by: "rp-by-unit" };

/** @param {string | null} value */
const isDate = (value) => /^\d{4}-\d{2}-\d{2}$/.test(value || "");

/** The units whose report the user may see: where they lead, keep the register or administer. */
function reportUnits() {
  const seen = new Set();
  return (user()?.memberships || []).filter((m) => {
    if (!VIEWERS.includes(m.role) || seen.has(m.unit_id)) return false;
    seen.add(m.unit_id);
    return true;
  });
}

/** What the report is asked for, from the address. @param {any[]} units @param {URLSearchParams} query */
function chosenOf(units, query) {
  const current = currentMembership();
  const [monthStart, today] = periodDates("month");
  return {
    unit_id: units.find((m) => m.unit_id === query.get("unit_id"))?.unit_id
      || units.find((m) => m.unit_id === current?.unit_id)?.unit_id || units[0].unit_id,
    from: isDate(query.get("from")) ? query.get("from") : monthStart,
    to: isDate(query.get("to")) ? query.get("to") : today,
    by: query.get("by") === "person" ? "person" : "unit",
  };
}

/** The form's controls. @param {any[]} units @param {Record<string, string>} chosen */
function reportControls(units, chosen) {
  return {
    unitSelect: h("select", { name: "unit_id" },
      units.map((m) => h("option", { value: m.unit_id, selected: m.unit_id === chosen.unit_id }, m.unit_name))),
    from: dateField({ name: "from", value: chosen.from, max: periodDates("month")[1], label: t("reportFrom") }),
    to: dateField({ name: "to", value: chosen.to, label: t("reportTo") }),
    byGroup: h("fieldset", { class: "radio-group field" },
      h("legend", {}, t("reportBy")),
      h("p", { class: "field-error", id: "rp-by-unit-error", hidden: true }),
      h("div", { class: "radio-row" }, ["unit", "person"].map((by) => h("label", { class: "radio" },
        h("input", { type: "radio", name: "by", value: by, id: `rp-by-${by}`, checked: chosen.by === by }),
        h("span", {}, t(by === "unit" ? "reportByUnit" : "reportByPerson")))))),
  };
}

/** The form; the period buttons fill the days and submit it. @param {any[]} units @param {Record<string, string>} chosen */
function reportForm(units, chosen) {
  const labels = { "rp-by-unit": t("reportBy") };
  const c = reportControls(units, chosen);
  const summary = errorSummary();
  const show = h("button", { type: "submit", class: "btn btn-primary", id: "report-show" }, t("reportShow"));
  const presets = h("div", { class: "report-presets", role: "group", "aria-label": t("reportPeriod") },
    h("span", { class: "report-presets-label", "aria-hidden": "true" }, `${t("reportPeriod")}:`),
    PERIODS.map((period) => h("button", {
      type: "button", class: "btn btn-secondary btn-small", id: `rp-period-${period}`,
      onclick: () => {
        const [from, to] = periodDates(period);
        c.from.set(from);
        c.to.set(to);
        form.requestSubmit();
      },
    }, t(`period_${period}`))));
  const form = h("form", { class: "panel report-form", id: "report-form", novalidate: true, "aria-label": t("reportsTitle") },
    summary,
    h("div", { class: "report-fields" },
      units.length > 1
        ? formField(labels, "rp-unit", t("reportUnit"), c.unitSelect)
        : h("div", { class: "field" },
          h("span", { class: "field-label" }, t("reportUnit")),
          h("p", { class: "report-unit-name", id: "rp-unit-name" }, units[0].unit_name),
          h("p", { class: "field-error", id: "rp-unit-error", hidden: true })),
      formField(labels, "rp-from", t("reportFrom"), c.from),
      formField(labels, "rp-to", t("reportTo"), c.to),
      c.byGroup),
    presets,
    h("div", { class: "form-actions" }, show));
  const errors = formErrors(form, summary, {
    labels, heading: t("reportErrorSummary"), controlFor: (key) => FIELD_IDS[key] || null,
  });
  return { form, show, errors, c };
}

/** #/reports. @param {HTMLElement} view @param {Record<string, string>} params @param {URLSearchParams} query */
export function renderReports(view, params, query) {
  const units = reportUnits();
  view.append(pageHeading(t("reportsTitle")), h("p", { class: "muted page-sub" }, t("reportsIntro")));
  if (!units.length) {
    view.append(alertBox("info", h("p", { id: "report-not-allowed" }, t("reportNotAllowed"))));
    return { title: t("reportsTitle") };
  }
  const chosen = chosenOf(units, query);
  const { form, show, errors, c } = reportForm(units, chosen);
  const results = h("div", { class: "report-results", id: "report-results" });
  view.append(form, results);
  let loading = 0;

  async function load() {
    const mine = ++loading;
    const asked = { ...chosen };
    results.replaceChildren(loadingBox());
    show.disabled = true;
    try {
      const report = await api.reportProcessing(asked);
      const unitName = units.find((m) => m.unit_id === report.unit_id)?.unit_name || "";
      if (mine === loading) results.replaceChildren(...reportPanels(report, asked, unitName));
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

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errors.clear();
    const wrongDays = dateProblems({ from: c.from, to: c.to });
    if (Object.keys(wrongDays).length) {
      errors.show(null, wrongDays);
      return;
    }
    Object.assign(chosen, {
      unit_id: units.length > 1 ? c.unitSelect.value : units[0].unit_id,
      from: c.from.value(), to: c.to.value(),
      by: /** @type {HTMLInputElement | null} */ (form.querySelector("input[name=by]:checked"))?.value || "unit",
    });
    // Keep the choices in the address without drawing the screen again.
    history.replaceState(null, "", `#/reports?${new URLSearchParams(chosen).toString()}`);
    load();
  });
  load();
  return { title: t("reportsTitle") };
}
