// @ts-check
// A day typed as dd/mm/yyyy, whatever the browser's locale: a text input (a native
// <input type=date> shows mm/dd/yyyy in an English-locale browser) whose value goes to
// the API as YYYY-MM-DD. Beside it, a button opens the browser's own calendar: an
// invisible native date input whose choice is written back as dd/mm/yyyy, so the
// format shown never changes.

import { formatDate, parseDay } from "../dates.js";
import { h, icon } from "../dom.js";
import { t } from "../i18n.js";

/** A calendar page: two rings, the header band and the days' area. */
const CALENDAR = "M7 2h2v2h6V2h2v2h2a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 " +
  "2-2h2V2Zm-2 8v10h14V10H5Zm2 2h4v4H7v-4Z";

/**
 * @typedef {object} DateField
 * @property {HTMLElement} element what to put in the form (the input and its calendar button)
 * @property {HTMLInputElement} input the text input (its id and name are the field's)
 * @property {() => string | null} value the day as YYYY-MM-DD; "" when empty; null when the text is no day
 * @property {(iso: string | null | undefined) => void} set show a day (YYYY-MM-DD), or nothing
 * @property {() => string | null} problem why the text is no day, or null
 * @property {HTMLInputElement} picker the calendar's hidden native input (its min and max bound the calendar)
 */

/**
 * @param {{id?: string, name: string, value?: string | null, min?: string | null, max?: string | null,
 *   label?: string, unlabelled?: boolean}} options
 *   `min`/`max` (YYYY-MM-DD) bound the calendar; the API says when a day is refused.
 *   `label` names the calendar button ("Chọn ngày: Hạn xử lý") and, when the input has
 *   no <label> of its own (`unlabelled`), the input.
 * @returns {DateField}
 */
export function dateField({ id, name, value: initial = "", min = null, max = null, label, unlabelled = false }) {
  const input = h("input", {
    type: "text", id, name, inputmode: "numeric", autocomplete: "off", maxlength: "10", size: "10",
    placeholder: t("dateFormat"), class: "date-input", "aria-label": unlabelled ? label : null,
  });
  const native = h("input", {
    type: "date", class: "date-native", tabindex: "-1", "aria-hidden": "true",
    min: min || null, max: max || null,
  });
  const button = h("button", {
    type: "button", class: "btn btn-secondary date-pick", title: t("datePick"),
    "aria-label": label ? `${t("datePick")}: ${label}` : t("datePick"),
  }, icon(CALENDAR, 18));
  /** @param {string | null | undefined} iso */
  const set = (iso) => { input.value = iso ? formatDate(iso) : ""; };
  const value = () => (input.value.trim() ? parseDay(input.value) : "");
  set(initial);

  button.addEventListener("click", () => {
    native.value = value() || "";
    try {
      native.showPicker();
    } catch {
      input.focus();   // no calendar in this browser: typing is the way
    }
  });
  native.addEventListener("change", () => {
    set(native.value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    input.focus();
  });
  // a day typed loosely (5/3/2026, 05-03-2026) is shown as dd/mm/yyyy once left
  input.addEventListener("change", () => {
    const day = value();
    if (day) set(day);
  });
  return {
    element: h("span", { class: "date-field" }, input, button, native),
    input,
    value,
    set,
    problem: () => (value() === null ? t("dateInvalid") : null),
    picker: native,
  };
}
