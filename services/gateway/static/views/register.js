// @ts-check
// Vào sổ văn bản đến: choose files (each uploaded at once: reserve → PUT bytes with
// progress; under a PDF, the verification of its digital signatures, which warns but
// never stops the registration), fill in the document's particulars, register. Problems the server
// finds are shown next to their fields and in a summary; a duplicate asks first.
// The form's controls and sections are shared with the acceptance of a received
// electronic document (views/exchange/accept.js), which fills them from its package and
// takes no files (they come with the package).

import { ApiError, api } from "../api.js";
import { todayIso } from "../dates.js";
import { alertBox, h, pageHeading } from "../dom.js";
import { lang, t } from "../i18n.js";
import { codes, confidentialityLabel, terms, urgencyLabel } from "../labels.js";
import { clerkMemberships, currentMembership, navigate, setFlash } from "../state.js";
import {
  confirmDialog, dateField, dateProblems, errorSlotId, errorSummary, fileUploader, formErrors, formField, signaturePanel,
} from "../widgets.js";

/** @typedef {ReturnType<typeof registerControls>} RegisterControls */

// API field (as named in `details`) → the id of the control it belongs to.
export const FIELD_IDS = {
  unit_id: "f-unit_id", file_ids: "f-files", code_number: "f-code_number", code_notation: "f-code_notation",
  issued_date: "f-issued_date", document_type: "f-document_type", subject: "f-subject",
  page_amount: "f-page_amount", issuer: "f-issuer-name", "issuer.name": "f-issuer-name",
  "issuer.organ_id": "f-issuer-organ_id", signer: "f-signer-position", "signer.position": "f-signer-position",
  "signer.full_name": "f-signer-full_name", urgency: "f-urgency-normal", confidentiality: "f-confidentiality",
  due_date: "f-due_date", description: "f-description",
};

/**
 * The form's controls; without `withFiles`, no file uploader (`files` is null).
 * @param {any[]} clerkUnits @param {any} defaultUnit @param {{withFiles?: boolean}} [options]
 */
export function registerControls(clerkUnits, defaultUnit, { withFiles = true } = {}) {
  /** @param {string} name @param {Record<string, any>} [attrs] */
  const input = (name, attrs = {}) => h("input", { name, type: "text", ...attrs });
  return {
    unitSelect: h("select", { name: "unit_id" },
      clerkUnits.map((m) => h("option", { value: m.unit_id, selected: m.unit_id === defaultUnit.unit_id }, m.unit_name))),
    // Each file uploads as soon as it is chosen (reserve → PUT bytes with progress).
    files: withFiles ? fileUploader({
      id: "f-files", name: "files", label: t("files"), hint: t("filesHint"),
      afterUpload: (fileId, filename) => (/\.pdf$/i.test(filename) ? signaturePanel(fileId, { filename, withName: false }) : null),
    }) : null,
    codeNumber: input("code_number", { inputmode: "numeric", maxlength: "11", autocomplete: "off", pattern: "[0-9]*" }),
    codeNotation: input("code_notation", { maxlength: "30", autocomplete: "off", spellcheck: "false" }),
    issuedDate: dateField({ name: "issued_date", max: todayIso(), label: t("issuedDate") }),
    documentType: h("select", { name: "document_type" },
      h("option", { value: "" }, t("chooseType")),
      terms("document_types").map((ty) => h("option", { value: ty.code }, lang() === "en" ? `${ty.en} (${ty.vi})` : ty.vi))),
    subject: h("textarea", { name: "subject", rows: "3", maxlength: "500" }),
    pageAmount: input("page_amount", { type: "number", min: "1", max: "999", inputmode: "numeric" }),
    issuerName: input("issuer_name", { maxlength: "200", autocomplete: "organization" }),
    issuerOrganId: input("issuer_organ_id", { maxlength: "35", autocomplete: "off", spellcheck: "false" }),
    signerPosition: input("signer_position", { maxlength: "100" }),
    signerName: input("signer_full_name", { maxlength: "50", autocomplete: "off" }),
    confidentiality: h("select", { name: "confidentiality" },
      codes("confidentialities").map((c) => h("option", { value: c }, confidentialityLabel(c)))),
    dueDate: dateField({ name: "due_date", min: todayIso(), label: t("dueDate") }),
    description: h("textarea", { name: "description", rows: "2", maxlength: "500" }),
    urgency: h("fieldset", { class: "radio-group field field-wide", "aria-describedby": errorSlotId("f-urgency-normal") },
      h("legend", {}, t("urgency")),
      h("p", { class: "field-error", id: errorSlotId("f-urgency-normal"), hidden: true }),
      h("div", { class: "radio-row" }, codes("urgencies").map((u) => h("label", { class: `radio urgency-choice urgency-choice-${u}` },
        h("input", { type: "radio", name: "urgency", value: u, id: `f-urgency-${u}`, checked: u === "normal" }),
        h("span", {}, urgencyLabel(u)))))),
  };
}

/** The form's sections (the files' only with an uploader). @param {RegisterControls} c @param {Record<string, string>} labels @param {boolean} manyUnits */
export function registerSections(c, labels, manyUnits) {
  /** @param {string} id @param {string} label @param {import("../components/forms.js").Control} control @param {object} [options] */
  const field = (id, label, control, options) => formField(labels, id, label, control, options);
  /** @param {string} legend @param {...import("../dom.js").Child} content */
  const section = (legend, ...content) => h("fieldset", { class: "section" }, h("legend", {}, legend), ...content);
  return [
    manyUnits ? h("div", { class: "form-grid" }, field("f-unit_id", t("unit"), c.unitSelect, { required: true })) : null,
    c.files ? section(t("sectionFiles"), c.files.element) : null,
    section(t("sectionDocument"), h("div", { class: "form-grid" },
      field("f-code_number", t("codeNumber"), c.codeNumber, { hint: t("codeNumberHint"), required: true }),
      field("f-code_notation", t("codeNotation"), c.codeNotation, { hint: t("codeNotationHint"), required: true }),
      field("f-issued_date", t("issuedDate"), c.issuedDate, { required: true }),
      field("f-document_type", t("documentType"), c.documentType, { required: true }),
      field("f-subject", t("subject"), c.subject, { required: true, wide: true }),
      field("f-page_amount", t("pageAmount"), c.pageAmount))),
    section(t("sectionIssuer"), h("div", { class: "form-grid" },
      field("f-issuer-name", t("issuerName"), c.issuerName, { required: true, wide: true }),
      field("f-issuer-organ_id", t("issuerOrganId"), c.issuerOrganId, { hint: t("issuerOrganIdHint") }),
      h("div", { class: "field-spacer" }),
      field("f-signer-position", t("signerPosition"), c.signerPosition),
      field("f-signer-full_name", t("signerName"), c.signerName))),
    section(t("sectionHandling"), h("div", { class: "form-grid" },
      c.urgency,
      field("f-confidentiality", t("confidentiality"), c.confidentiality),
      field("f-due_date", t("dueDate"), c.dueDate),
      field("f-description", t("description"), c.description, { wide: true }))),
  ];
}

/**
 * Show a document's particulars (as the API names them) in the form: what a received
 * electronic document's package says, for the văn thư to check before registering it.
 * @param {RegisterControls} c @param {HTMLFormElement} form @param {Record<string, any>} fields
 */
export function fillRegistration(c, form, fields) {
  /** @param {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} el @param {any} value */
  const put = (el, value) => { el.value = value === null || value === undefined ? "" : String(value); };
  put(c.codeNumber, fields.code_number);
  put(c.codeNotation, fields.code_notation);
  c.issuedDate.set(fields.issued_date);
  if (fields.document_type && [...c.documentType.options].some((o) => o.value === fields.document_type)) {
    c.documentType.value = fields.document_type;
  }
  put(c.subject, fields.subject);
  put(c.pageAmount, fields.page_amount);
  put(c.issuerName, fields.issuer?.name);
  put(c.issuerOrganId, fields.issuer?.organ_id);
  put(c.signerPosition, fields.signer?.position);
  put(c.signerName, fields.signer?.full_name);
  if (fields.confidentiality) c.confidentiality.value = fields.confidentiality;
  c.dueDate.set(fields.due_date);
  put(c.description, fields.description);
  const urgency = /** @type {HTMLInputElement | null} */ (form.querySelector(`input[name=urgency][value="${CSS.escape(fields.urgency || "normal")}"]`));
  if (urgency) urgency.checked = true;
}

/**
 * The document's particulars as the API takes them (no unit, files or duplicate
 * confirmation); an empty optional field is left out.
 * @param {RegisterControls} c @param {HTMLFormElement} form
 */
export function registrationFields(c, form) {
  /** @param {HTMLInputElement | HTMLTextAreaElement} el */
  const value = (el) => el.value.trim();
  const signer = { position: value(c.signerPosition) || undefined, full_name: value(c.signerName) || undefined };
  /** @type {Record<string, any>} */
  const body = {
    code_number: value(c.codeNumber),
    code_notation: value(c.codeNotation),
    issued_date: c.issuedDate.value() || undefined,
    issuer: { name: value(c.issuerName) },
    document_type: c.documentType.value || undefined,
    subject: value(c.subject),
    urgency: /** @type {HTMLInputElement | null} */ (form.querySelector("input[name=urgency]:checked"))?.value || "normal",
    confidentiality: c.confidentiality.value,
    due_date: c.dueDate.value() || undefined,
    description: value(c.description) || undefined,
  };
  if (value(c.issuerOrganId)) body.issuer.organ_id = value(c.issuerOrganId);
  if (value(c.pageAmount)) body.page_amount = Number(value(c.pageAmount));
  if (signer.position || signer.full_name) body.signer = signer;
  return body;
}

/** The document as the API takes it. @param {RegisterControls} c @param {HTMLFormElement} form @param {string} unitId @param {boolean} confirmDuplicate */
function payload(c, form, unitId, confirmDuplicate) {
  /** @type {Record<string, any>} */
  const body = { unit_id: unitId, ...registrationFields(c, form), file_ids: c.files?.fileIds() || [] };
  if (confirmDuplicate) body.confirm_duplicate = true;
  return body;
}

/** #/incoming/new. @param {HTMLElement} view */
export function renderRegister(view) {
  const clerkUnits = clerkMemberships();
  view.append(pageHeading(t("registerTitle")));
  if (!clerkUnits.length) {
    view.append(alertBox("error", t("registerNotClerk")));
    return { title: t("registerTitle") };
  }
  const current = currentMembership();
  const defaultUnit = clerkUnits.find((m) => m.unit_id === current?.unit_id) || clerkUnits[0];
  const labels = { "f-files": t("sectionFiles"), "f-urgency-normal": t("urgency") };    // control id → label text
  const c = registerControls(clerkUnits, defaultUnit);
  const summary = errorSummary();
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, t("submitRegister"));
  const form = h("form", { class: "register-form", novalidate: true, "aria-labelledby": "page-title" },
    h("p", { class: "muted" }, t("registerIntro")),
    summary,
    registerSections(c, labels, clerkUnits.length > 1),
    h("div", { class: "form-actions" }, submit, h("a", { href: "#/incoming", class: "btn btn-link" }, t("cancel"))));
  view.append(form);
  const errors = formErrors(form, summary, { labels, heading: t("errorSummary"), controlFor: (key) => FIELD_IDS[key] });

  async function send(confirmDuplicate = false) {
    errors.clear();
    const problems = dateProblems({ issued_date: c.issuedDate, due_date: c.dueDate });
    const uploadProblem = c.files?.problem();
    if (uploadProblem) problems.file_ids = uploadProblem;
    if (Object.keys(problems).length) {
      errors.show(null, problems);
      return;
    }
    submit.disabled = true;
    submit.textContent = t("submitting");
    form.setAttribute("aria-busy", "true");
    try {
      const unitId = clerkUnits.length > 1 ? c.unitSelect.value : defaultUnit.unit_id;
      const doc = await api.registerIncoming(payload(c, form, unitId, confirmDuplicate));
      setFlash("success", t("registeredFlash", doc.arrival_number), { highlight: doc.id });
      navigate("#/incoming");
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        confirmDialog({
          id: "dup", title: t("duplicateTitle"), message: error.message, confirmLabel: t("duplicateConfirm"), confirmClass: "btn-warning",
        }).then((confirmed) => (confirmed ? send(true) : submit.focus()));
      } else {
        errors.show(error.message, error instanceof ApiError && error.status === 400 ? error.details : {});
      }
    } finally {
      submit.disabled = false;
      submit.textContent = t("submitRegister");
      form.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(false);
  });
  return { title: t("registerTitle") };
}
