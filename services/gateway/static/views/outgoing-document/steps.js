// @ts-check
// The steps the caller may take on an outgoing document now (the API's
// allowed_actions): each a button; return, recall and cancel ask for a reason, numbering
// offers a field code or a whole notation, signing a certificate to sign with digitally
// (or on paper), the organisation's signature the unit's certificate, and every step
// takes a comment. "Cập nhật thông tin" of an issued document has its own form (update.js).

import { ApiError, api } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { codeOf, errorSummary, formErrors, formField, problemText } from "../../widgets.js";
import { certificatePicker } from "./signing.js";
import { updateForm } from "./update.js";

/** @typedef {Record<string, any>} OutgoingDocument */
/**
 * What a step's answer does on the screen: draw the document again, say how it went,
 * read the approval chain again.
 * @typedef {{draw: (doc: OutgoingDocument) => void, say: (kind: string, ...children: import("../../dom.js").Child[]) => void,
 *   refreshChain: (options: {later?: boolean}) => void}} StepHost
 */

// The steps forward, in the order of the document's life; the others after them.
const FORWARD = ["submit", "approve", "check_form", "sign", "number", "seal", "issue"];
const ORDER = [...FORWARD, "return", "recall", "update", "cancel"];
const WITH_REASON = ["return", "recall", "cancel"];
const WITH_FORM = ["number", "sign", "seal"];

/** The steps (not "edit") of allowed_actions in the order of their buttons. @param {string[]} allowed */
export function stepsOf(allowed) {
  const steps = allowed.filter((a) => a !== "edit");
  return [...ORDER.filter((a) => steps.includes(a)), ...steps.filter((a) => !ORDER.includes(a))];
}

/**
 * Take a step; what it answers is drawn, a refusal said (the document may have moved on
 * meanwhile: it is read again).
 * @param {StepHost} host @param {OutgoingDocument} doc @param {string} action @param {Record<string, any>} payload
 * @param {HTMLButtonElement[]} buttons disabled meanwhile @param {import("../../components/forms.js").FormErrors | null} [errors]
 */
async function take(host, doc, action, payload, buttons, errors = null) {
  const label = t(`action_${action}`);
  for (const b of buttons) b.disabled = true;
  const busy = buttons.find((b) => b.id === "step-confirm") || buttons.find((b) => b.id === `action-${action}`);
  const busyText = busy?.textContent;
  if (busy) busy.textContent = t("working");
  try {
    const updated = await api.actOnOutgoing(doc.id, action, payload);
    host.draw(updated);
    host.refreshChain({ later: action === "submit" });
    const done = action === "number" ? t("done_number", codeOf(updated))
      : (action === "sign" && payload.certificate_id ? t("done_sign_digital") : t(`done_${action}`));
    host.say("success", h("p", { id: "step-done" }, done));
  } catch (error) {
    for (const b of buttons) b.disabled = false;
    if (busy) busy.textContent = busyText;
    if (errors && error instanceof ApiError && error.status === 400) {
      errors.show(error.message, error.details);
      return;
    }
    // the rest by field; "state" and a refusal's code ("reason") are said by the message
    const problems = Object.entries(error.details || {})
      .filter(([key, value]) => key !== "state" && !(key === "reason" && typeof value === "string"));
    host.say("error",
      h("p", {}, h("strong", {}, `${label}: `), error.message),
      problems.length ? h("ul", {}, problems.map(([, p]) => h("li", {}, problemText(p)))) : null);
    if (error instanceof ApiError && [403, 409].includes(error.status)) {
      api.getOutgoing(doc.id).then(host.draw).catch(() => {});
    }
  }
}

/** The step's own controls: a reason, the field code and notation of a number. @param {OutgoingDocument} doc @param {string} action */
function stepControls(doc, action) {
  const text = (/** @type {string} */ name, /** @type {string} */ max) => h("input", {
    type: "text", name, maxlength: max, autocomplete: "off", spellcheck: "false",
  });
  return {
    reason: WITH_REASON.includes(action) ? h("textarea", { name: "reason", rows: "2", maxlength: "1000" }) : null,
    fieldCode: action === "number" && doc.document_type === "CV" ? text("field_code", "20") : null,
    notation: action === "number" ? text("code_notation", "30") : null,
    certificate: action === "sign" || action === "seal" ? certificatePicker(doc, action) : null,
    comment: h("textarea", { name: "comment", rows: "2", maxlength: "1000" }),
  };
}

/**
 * The form of a step that asks for more than a click.
 * @param {StepHost} host @param {OutgoingDocument} doc @param {string} action
 * @param {{trigger: HTMLButtonElement, slot: HTMLElement, buttons: HTMLButtonElement[]}} opening
 */
function openStepForm(host, doc, action, { trigger, slot, buttons }) {
  for (const b of buttons) {
    if (b.hasAttribute("aria-controls")) b.setAttribute("aria-expanded", String(b === trigger));
  }
  /** @type {Record<string, string>} */
  const labels = {};
  const summary = errorSummary();
  const { reason, fieldCode, notation, certificate, comment } = stepControls(doc, action);
  const label = t(`action_${action}`);
  const confirm = h("button", { type: "submit", class: ["btn", reason && action !== "return" ? "btn-warning" : "btn-primary"], id: "step-confirm" },
    t("confirmAction", label));
  const close = () => {
    slot.replaceChildren();
    trigger.setAttribute("aria-expanded", "false");
    trigger.focus();
  };
  const form = h("form", { class: "step-form", id: "step-form", novalidate: true, "aria-label": label },
    h("h3", {}, label),
    summary,
    h("div", { class: "form-grid" },
      reason ? formField(labels, "step-reason", t("reason"), reason, { required: true, wide: true }) : null,
      fieldCode ? formField(labels, "step-field_code", t("fieldCode"), fieldCode, { hint: t("fieldCodeHint") }) : null,
      notation ? formField(labels, "step-code_notation", t("notationOverride"), notation, { hint: t("notationOverrideHint") }) : null,
      certificate ? formField(labels, "step-certificate", t(action === "seal" ? "certOrganisation" : "certSignWith"), certificate.select,
        { hint: t(action === "seal" ? "certOrganisationHint" : "certSignWithHint"), wide: true }) : null,
      certificate ? certificate.note : null,
      formField(labels, "step-comment", t("stepComment"), comment, { wide: true })),
    h("div", { class: "form-actions" },
      confirm,
      h("button", { type: "button", class: "btn btn-link", onclick: close }, t("cancel"))));
  const errors = formErrors(form, summary, {
    labels, heading: t("errorSummaryStep"),
    controlFor: (key) => ({
      reason: "step-reason", field_code: fieldCode ? "step-field_code" : "step-code_notation",
      code_notation: "step-code_notation", comment: "step-comment", certificate_id: "step-certificate",
    })[key] || null,
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errors.clear();
    if (reason && !reason.value.trim()) {
      errors.show(null, { reason: t("reasonRequired") });
      return;
    }
    if (certificate?.select.disabled) return;   // the certificates are still being read
    /** @type {Record<string, string>} */
    const payload = certificate ? certificate.payload() : {};
    const given = { reason, field_code: fieldCode, code_notation: notation, comment };
    for (const [key, el] of Object.entries(given)) {
      if (el?.value.trim()) payload[key] = el.value.trim();
    }
    take(host, doc, action, payload, [...buttons, confirm], errors);
  });
  slot.replaceChildren(form);
  if (certificate) certificate.loaded.then(() => { if (certificate.select.isConnected) certificate.select.focus(); });
  else (reason || fieldCode || notation || comment).focus();
}

/**
 * "Cập nhật thông tin": its form (update.js); a 400 is shown by field in it.
 * @param {StepHost} host @param {OutgoingDocument} doc
 * @param {{trigger: HTMLButtonElement, slot: HTMLElement, buttons: HTMLButtonElement[]}} opening
 */
function openUpdateForm(host, doc, { trigger, slot, buttons }) {
  for (const b of buttons) {
    if (b.hasAttribute("aria-controls")) b.setAttribute("aria-expanded", String(b === trigger));
  }
  const close = () => {
    slot.replaceChildren();
    trigger.setAttribute("aria-expanded", "false");
    trigger.focus();
  };
  const { form, focus } = updateForm(doc, {
    send: (payload, errors) => take(host, doc, "update", payload, buttons, errors),
    close,
  });
  slot.replaceChildren(form);
  focus();
}

/**
 * The panel of the steps the caller may take, or null when there are none.
 * @param {StepHost} host @param {OutgoingDocument} doc
 */
export function stepsPanel(host, doc) {
  const steps = stepsOf(doc.allowed_actions || []);
  if (!steps.length) return null;
  const slot = h("div", { class: "step-form-slot" });
  /** @type {HTMLButtonElement[]} */
  const buttons = steps.map((action) => {
    const inline = WITH_REASON.includes(action) || WITH_FORM.includes(action);
    const button = h("button", {
      type: "button", id: `action-${action}`,
      class: ["btn", FORWARD.includes(action) ? "btn-primary" : (["return", "update"].includes(action) ? "btn-secondary" : "btn-warning")],
      "aria-expanded": inline || action === "update" ? "false" : null,
      "aria-controls": inline ? "step-form" : (action === "update" ? "update-form" : null),
      onclick: () => {
        if (action === "update") openUpdateForm(host, doc, { trigger: button, slot, buttons });
        else if (inline) openStepForm(host, doc, action, { trigger: button, slot, buttons });
        else take(host, doc, action, {}, buttons);
      },
    }, t(`action_${action}`));
    return button;
  });
  return h("section", { class: "panel actions-panel", id: "doc-actions", "aria-labelledby": "doc-actions-title" },
    h("h2", { id: "doc-actions-title" }, t("actionsTitle")),
    h("div", { class: "step-actions" }, buttons),
    slot);
}
