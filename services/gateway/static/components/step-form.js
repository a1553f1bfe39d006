// @ts-check
// The inline form of one step of a workflow (submit, assign, forward, progress, return,
// complete, approve; a task's progress, completion, cancellation).

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { dateProblems, errorSummary, formErrors, formField } from "./forms.js";

/** @typedef {import("./forms.js").FieldSpec} FieldSpec */
/** @typedef {import("./forms.js").FormErrors} FormErrors */
/** @typedef {import("./date-field.js").DateField} DateField */

/**
 * @typedef {object} StepFormOptions
 * @property {string} id the form is "<id>-form", its confirm button "<id>-confirm"
 * @property {string} title
 * @property {string | null} [intro]
 * @property {(FieldSpec | Node | null | undefined)[]} fields
 * @property {string} confirmLabel
 * @property {string} [confirmClass]
 * @property {Record<string, string> | ((key: string) => string | null | undefined)} [controlFor] API field → control id
 * @property {Record<string, DateField | null | undefined>} [dates] date fields by API field: a text that is no day stops the form
 * @property {(errors: FormErrors) => Promise<void> | void} submit
 * @property {() => void} [cancel]
 * @property {Record<string, string>} [labels] the texts of controls drawn outside formField, by id
 * @property {(error: any) => boolean | void} [onError] true when the view dealt with the error
 */

/**
 * An inline form for one step: a heading, an error summary, fields drawn by formField
 * and a confirm button with a cancel link. `submit(errors)` does the work; what it
 * throws (an ApiError) is shown next to the fields `controlFor(key)` names and in the
 * summary, unless `onError(error)` says it dealt with it.
 * @param {StepFormOptions} options
 */
export function stepForm({
  id, title, intro = null, fields, confirmLabel, confirmClass = "btn-primary", controlFor = {}, dates = {},
  submit, cancel, labels = {}, onError,
}) {
  const summary = errorSummary();
  const confirm = h("button", { type: "submit", class: ["btn", confirmClass], id: `${id}-confirm` }, confirmLabel);
  const form = h("form", { class: "step-form", id: `${id}-form`, novalidate: true, "aria-labelledby": `${id}-form-title` },
    h("h3", { id: `${id}-form-title` }, title),
    intro ? h("p", { class: "hint" }, intro) : null,
    summary,
    h("div", { class: "form-grid" }, fields.filter(Boolean).map((f) => (f instanceof Node
      ? f : formField(labels, f.id, f.label, f.control, f)))),
    h("div", { class: "form-actions" },
      confirm,
      h("button", { type: "button", class: "btn btn-link", onclick: () => cancel?.() }, t("cancel"))));
  const errors = formErrors(form, summary, {
    labels, heading: t("errorSummaryStep"),
    controlFor: (key) => (typeof controlFor === "function" ? controlFor(key) : controlFor[key]) || null,
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const wrongDays = dateProblems(dates);
    if (Object.keys(wrongDays).length) {
      errors.show(null, wrongDays);
      return;
    }
    const text = confirm.textContent;
    confirm.disabled = true;
    confirm.textContent = t("working");
    try {
      await submit(errors);
    } catch (error) {
      if (onError?.(error)) return;     // handled by the view (e.g. the step is no longer possible)
      const details = Object.fromEntries(Object.entries(error?.details || {}).filter(([key]) => key !== "state"));
      errors.show(error?.message || t("networkError"), details);
    } finally {
      confirm.disabled = false;
      confirm.textContent = text;
    }
  });
  return { form, errors, labels };
}
