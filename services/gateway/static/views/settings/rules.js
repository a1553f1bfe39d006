// @ts-check
// The default processing deadlines of the unit the caller works in: working days per
// urgency, or working hours for the urgent levels the unit counts in hours. Every member
// sees them; its leaders and administrators set them.

import { api } from "../../api.js";
import { alertBox, h, loadingBox } from "../../dom.js";
import { t } from "../../i18n.js";
import { codes, urgencyLabel, urgentCodes } from "../../labels.js";
import { errorPanel, errorSummary, formErrors, formField } from "../../widgets.js";

const RULE_SETTERS = ["head", "unit_head", "admin"];   // who sets a unit's deadline rules

/** "4", "0,5" (a decimal comma), "" → 4, 0.5, null; anything else is sent as typed (the API says why). @param {string} value */
function numberOrText(value) {
  const text = value.trim().replace(",", ".");
  if (!text) return null;
  const number = Number(text);
  return Number.isFinite(number) ? number : value.trim();
}

/** @param {number | string} value */
const hoursText = (value) => t("rulesHoursValue", String(value).replace(".", ","));

/** The rules as text, for whoever may not change them. @param {any} rules */
function readOnly(rules) {
  return h("dl", { class: "detail-list rules-list", id: "rules-list" }, codes("urgencies").map((u) => [
    h("dt", {}, urgencyLabel(u)),
    h("dd", { id: `rules-value-${u}` }, rules.hours?.[u] != null
      ? hoursText(rules.hours[u])
      : t("rulesDaysValue", rules.working_days?.[u] ?? rules.defaults?.working_days?.[u]))]));
}

/** One urgency's inputs: working days and, for an urgent level, hours. @param {any} rules @param {string} u @param {Record<string, string>} labels */
function urgencyRow(rules, u, labels) {
  const defaults = rules.defaults?.working_days?.[u];
  const days = h("input", {
    type: "text", inputmode: "numeric", name: `working_days.${u}`, maxlength: "3", autocomplete: "off",
    class: "input-short", value: String(rules.working_days?.[u] ?? defaults ?? ""),
  });
  const hours = urgentCodes().includes(u) ? h("input", {
    type: "text", inputmode: "decimal", name: `hours.${u}`, maxlength: "5", autocomplete: "off",
    class: "input-short", value: rules.hours?.[u] != null ? String(rules.hours[u]).replace(".", ",") : "",
  }) : null;
  const element = h("fieldset", { class: "section rules-row", dataset: { urgency: u } },
    h("legend", {}, urgencyLabel(u)),
    h("div", { class: "rules-fields" },
      formField(labels, `rules-days-${u}`, t("rulesDays"), days, { hint: defaults != null ? t("rulesDaysHint", defaults) : null }),
      hours ? formField(labels, `rules-hours-${u}`, t("rulesHours"), hours, { hint: t("rulesHoursHint") }) : null));
  labels[`rules-days-${u}`] = `${urgencyLabel(u)} — ${t("rulesDays")}`;
  if (hours) labels[`rules-hours-${u}`] = `${urgencyLabel(u)} — ${t("rulesHours")}`;
  return { element, days, hours };
}

/** What was saved, said once. @param {any} rules */
function savedText(rules) {
  const counted = urgentCodes().filter((u) => rules.hours?.[u] != null)
    .map((u) => `${urgencyLabel(u)}: ${hoursText(rules.hours[u])}`);
  return counted.length ? t("rulesSavedHours", counted.join("; ")) : t("rulesSaved");
}

/** The form setting the rules. @param {any} rules @param {(saved: any) => void} onSaved @param {string} unitId */
function rulesForm(rules, onSaved, unitId) {
  /** @type {Record<string, string>} */
  const labels = {};
  const summary = errorSummary();
  const status = h("div", { id: "rules-status", tabindex: "-1" });
  const rows = codes("urgencies").map((u) => ({ u, row: urgencyRow(rules, u, labels) }));
  const save = h("button", { type: "submit", class: "btn btn-primary", id: "rules-save" }, t("rulesSave"));
  const form = h("form", { class: "rules-form", id: "rules-form", novalidate: true, "aria-labelledby": "unit-rules-title" },
    summary, h("div", { class: "rules-grid" }, rows.map(({ row }) => row.element)), h("div", { class: "form-actions" }, save), status);
  const errors = formErrors(form, summary, {
    labels, heading: t("rulesErrorSummary"),
    controlFor: (key) => {
      const found = /^(working_days|hours)\.(\w+)$/.exec(key);
      if (!found) return null;
      const id = `rules-${found[1] === "hours" ? "hours" : "days"}-${found[2]}`;
      return form.querySelector(`#${id}`) ? id : null;
    },
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    status.replaceChildren();
    const payload = { working_days: {}, hours: {} };
    for (const { u, row } of rows) {
      const d = numberOrText(row.days.value);
      if (d !== null) payload.working_days[u] = d;
      const hr = row.hours ? numberOrText(row.hours.value) : null;
      if (hr !== null) payload.hours[u] = hr;
    }
    save.disabled = true;
    try {
      onSaved(await api.setUnitRules(unitId, payload));
    } catch (error) {
      save.disabled = false;
      errors.show(error.message, error.details);
    }
  });
  return { form, status };
}

/** @param {{unit_id: string, unit_name?: string, role: string}} membership */
export function rulesPanel(membership) {
  const unitId = membership.unit_id;
  const body = h("div", {}, loadingBox());
  const panel = h("section", { class: "panel", id: "unit-rules", "aria-labelledby": "unit-rules-title" },
    h("h2", { id: "unit-rules-title" }, t("rulesTitle")),
    h("p", { class: "muted" }, t("rulesIntro", membership.unit_name || "")),
    body);

  /** @param {any} rules @param {boolean} [savedNow] */
  function draw(rules, savedNow = false) {
    if (!RULE_SETTERS.includes(membership.role)) {
      body.replaceChildren(readOnly(rules), h("p", { class: "hint", id: "rules-readonly" }, t("rulesReadOnly")));
      return;
    }
    const { form, status } = rulesForm(rules, (saved) => draw(saved, true), unitId);
    body.replaceChildren(form);
    if (savedNow) {
      status.replaceChildren(alertBox("success", h("p", { id: "rules-saved" }, savedText(rules))));
      status.focus();
    }
  }

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      draw(await api.unitRules(unitId));
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  load();
  return panel;
}
