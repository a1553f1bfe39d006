// @ts-check
// Tiếp nhận: the registration form of an incoming document (views/register.js), filled
// from the package and without files (the package's go with it), for the văn thư to check
// and complete before the document takes the next số đến. What the package left empty or
// wrong comes back from the API by field and is shown next to it, in the caller's
// language; a duplicate asks first, as registering by hand does.

import { ApiError, api } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { confirmDialog, dateProblems, errorSummary, formErrors } from "../../widgets.js";
import { FIELD_IDS, fillRegistration, registerControls, registerSections, registrationFields } from "../register.js";
import { unitNameOf } from "./common.js";

/** @typedef {import("./common.js").Received} Received */

// what the văn thư may clear: sent as null so the package's value does not stay
const CLEARABLE = ["issued_date", "due_date", "description", "page_amount", "signer", "document_type"];

/**
 * @typedef {object} AcceptOptions
 * @property {(accepted: Received) => void} onAccepted the received document with `incoming`
 * @property {(error: ApiError) => void} onConflict it is no longer waiting (someone acted meanwhile)
 * @property {() => void} onCancel
 */

/**
 * The form; its submit button is #accept-confirm.
 * @param {Received} received @param {AcceptOptions} options
 */
export function acceptForm(received, { onAccepted, onConflict, onCancel }) {
  const unit = { unit_id: received.unit_id, unit_name: unitNameOf(received.unit_id) };
  const c = registerControls([unit], unit, { withFiles: false });
  const labels = { "f-urgency-normal": t("urgency") };
  const summary = errorSummary();
  const submit = h("button", { type: "submit", class: "btn btn-primary", id: "accept-confirm" }, t("acceptSubmit"));
  const form = h("form", { class: "register-form accept-form step-form", id: "accept-form", novalidate: true, "aria-labelledby": "accept-form-title" },
    h("h3", { id: "accept-form-title" }, t("acceptTitle")),
    h("p", { class: "hint" }, t("acceptIntro")),
    summary,
    registerSections(c, labels, false),
    h("div", { class: "form-actions" }, submit,
      h("button", { type: "button", class: "btn btn-link", id: "accept-cancel", onclick: onCancel }, t("cancel"))));
  fillRegistration(c, form, received.fields || {});
  const errors = formErrors(form, summary, { labels, heading: t("acceptErrors"), controlFor: (key) => FIELD_IDS[key] });

  /** @param {boolean} confirmDuplicate */
  async function send(confirmDuplicate) {
    errors.clear();
    const problems = dateProblems({ issued_date: c.issuedDate, due_date: c.dueDate });
    if (Object.keys(problems).length) {
      errors.show(null, problems);
      return;
    }
    /** @type {Record<string, any>} */
    const changes = registrationFields(c, form);
    for (const key of CLEARABLE) if (changes[key] === undefined) changes[key] = null;
    if (confirmDuplicate) changes.confirm_duplicate = true;
    submit.disabled = true;
    submit.textContent = t("submitting");
    form.setAttribute("aria-busy", "true");
    try {
      onAccepted(await api.acceptReceived(received.id, changes));
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.details?.duplicate_of) {
        confirmDialog({
          id: "dup", title: t("duplicateTitle"), message: error.message, confirmLabel: t("duplicateConfirm"), confirmClass: "btn-warning",
        }).then((confirmed) => (confirmed ? send(true) : submit.focus()));
      } else if (error instanceof ApiError && [403, 409].includes(error.status)) {
        onConflict(error);
      } else {
        errors.show(error.message, error instanceof ApiError && error.status === 400 ? error.details : {});
      }
    } finally {
      submit.disabled = false;
      submit.textContent = t("acceptSubmit");
      form.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(false);
  });
  return { form, focus: () => c.codeNumber.focus() };
}
