// @ts-check
// Forms as register.js draws them: labelled fields with an error slot each, problems
// shown next to their controls and in a summary linked to them, and the inline form of
// one step of a workflow.

import { fill, h } from "../dom.js";
import { lang } from "../i18n.js";

/** @typedef {import("./date-field.js").DateField} DateField */
/** @typedef {HTMLElement | DateField} Control */
/** @typedef {{clear: () => void, show: (message: string | null, details?: Record<string, any>) => void}} FormErrors */
/**
 * A field of a step form: drawn by formField (the options are its own), or an element
 * drawn already.
 * @typedef {{id: string, label: string, control: Control, hint?: string | null, required?: boolean, wide?: boolean}} FieldSpec
 */

/** One problem of an error's `details`: text, or {vi, en} in the chosen language. @param {any} problem */
export function problemText(problem) {
  if (typeof problem === "string") return problem;
  if (problem && typeof problem === "object") {
    return problem[lang()] || problem.vi || problem.en || JSON.stringify(problem);
  }
  return String(problem ?? "");
}

/** The id of the slot a control's problem is shown in. @param {string} controlId */
export function errorSlotId(controlId) {
  return `${controlId}-error`;
}

/** The element a control is, or the input of a component (a date field). @param {Control} control @returns {HTMLElement} */
function inputOf(control) {
  return control instanceof HTMLElement ? control : control.input;
}

/**
 * A labelled field: the label, an optional hint, an error slot (id "<control id>-error")
 * and the control. `labels` collects the label texts by control id for the error summary.
 * @param {Record<string, string>} labels
 * @param {string} controlId
 * @param {string} labelText
 * @param {Control} control an element, or a component with its `input` and `element`
 * @param {{hint?: string | null, required?: boolean, wide?: boolean}} [options]
 */
export function formField(labels, controlId, labelText, control, { hint, required, wide } = {}) {
  labels[controlId] = labelText;
  const hintId = hint ? `${controlId}-hint` : null;
  const input = inputOf(control);
  input.id = controlId;
  if (hintId) {
    const described = [hintId, ...(input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean)];
    input.setAttribute("aria-describedby", described.join(" "));
  }
  if (required) input.setAttribute("aria-required", "true");
  return h("div", { class: ["field", wide && "field-wide"] },
    h("label", { for: controlId }, labelText, required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("p", { class: "field-error", id: errorSlotId(controlId), hidden: true }),
    control instanceof HTMLElement ? control : control.element);
}

/** Take every problem off the form. @param {HTMLElement} form @param {HTMLElement} summary */
function clearProblems(form, summary) {
  summary.hidden = true;
  summary.replaceChildren();
  for (const el of form.querySelectorAll(".field-error")) {
    /** @type {HTMLElement} */ (el).hidden = true;
    el.textContent = "";
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) {
    el.removeAttribute("aria-invalid");
    el.setAttribute("aria-describedby", (el.getAttribute("aria-describedby") || "")
      .split(" ").filter((id) => id && !id.endsWith("-error")).join(" "));
    if (!el.getAttribute("aria-describedby")) el.removeAttribute("aria-describedby");
  }
  for (const el of form.querySelectorAll(".has-error")) el.classList.remove("has-error");
}

/**
 * Mark `control` as wrong, with `text` in its error slot; the summary's link to it.
 * @param {HTMLElement} form
 * @param {HTMLElement} control
 * @param {string} controlId
 * @param {string} text
 * @param {string} labelText
 */
function markProblem(form, control, controlId, text, labelText) {
  const slot = /** @type {HTMLElement | null} */ (form.querySelector(`#${CSS.escape(errorSlotId(controlId))}`));
  if (slot) {
    slot.textContent = slot.hidden ? text : `${slot.textContent} ${text}`;
    slot.hidden = false;
    (slot.closest(".field") || slot.closest("fieldset"))?.classList.add("has-error");
  }
  control.setAttribute("aria-invalid", "true");
  const described = new Set((control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
  described.add(errorSlotId(controlId));
  control.setAttribute("aria-describedby", [...described].join(" "));
  return h("li", {}, h("a", {
    href: `#${controlId}`,
    onclick: (/** @type {Event} */ event) => { event.preventDefault(); control.focus(); },
  }, `${labelText}: ${text}`));
}

/**
 * Problems shown as register.js shows them: each one of `details` next to the control
 * `controlFor(key)` names (marked aria-invalid and described by its message), and all
 * of them in the summary, linked to their controls.
 * @param {HTMLElement} form
 * @param {HTMLElement} summary
 * @param {{labels: Record<string, string>, controlFor: (key: string) => string | null | undefined, heading: string}} options
 * @returns {FormErrors}
 */
export function formErrors(form, summary, { labels, controlFor, heading }) {
  /** @param {string | null} message @param {Record<string, any>} [details] */
  function show(message, details) {
    const items = Object.entries(details || {}).map(([key, problem]) => {
      const text = problemText(problem);
      const controlId = controlFor(key);
      const control = /** @type {HTMLElement | null} */ (controlId && form.querySelector(`#${CSS.escape(controlId)}`));
      return control
        ? markProblem(form, control, controlId, text, labels[controlId] || key)
        : h("li", {}, `${key}: ${text}`);
    });
    fill(summary,
      h("h2", {}, heading),
      message ? h("p", {}, message) : null,
      items.length ? h("ul", {}, items) : null);
    summary.hidden = false;
    summary.focus();
  }
  return { clear: () => clearProblems(form, summary), show };
}

/**
 * The problems of the date fields whose text is no day (by API field name), for
 * FormErrors.show; empty when every one is a day or empty.
 * @param {Record<string, DateField | null | undefined>} fields
 * @returns {Record<string, string>}
 */
export function dateProblems(fields) {
  /** @type {Record<string, string>} */
  const problems = {};
  for (const [key, field] of Object.entries(fields)) {
    const problem = field?.problem();
    if (problem) problems[key] = problem;
  }
  return problems;
}

/** An error summary: hidden until there are problems. */
export function errorSummary() {
  return h("div", { class: "error-summary", tabindex: "-1", hidden: true, role: "alert" });
}
