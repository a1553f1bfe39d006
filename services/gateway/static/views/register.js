// Vào sổ văn bản đến: choose files (each uploaded at once: reserve → PUT bytes with
// progress), fill in the document's particulars, register. Problems the server
// finds are shown next to their fields and in a summary; a duplicate asks first.

import { ApiError, api } from "../api.js";
import { alertBox, h, pageHeading } from "../dom.js";
import {
  CONFIDENTIALITIES, DOCUMENT_TYPES, URGENCIES, confidentialityLabel, lang, t, todayIso,
  urgencyLabel,
} from "../i18n.js";
import { clerkMemberships, currentMembership, navigate, setFlash } from "../state.js";
import { confirmDialog, errorSlotId, fileUploader, formErrors, formField } from "../widgets.js";

// API field (as named in `details`) → the id of the control it belongs to.
const FIELD_IDS = {
  unit_id: "f-unit_id",
  file_ids: "f-files",
  code_number: "f-code_number",
  code_notation: "f-code_notation",
  issued_date: "f-issued_date",
  document_type: "f-document_type",
  subject: "f-subject",
  page_amount: "f-page_amount",
  issuer: "f-issuer-name",
  "issuer.name": "f-issuer-name",
  "issuer.organ_id": "f-issuer-organ_id",
  signer: "f-signer-position",
  "signer.position": "f-signer-position",
  "signer.full_name": "f-signer-full_name",
  urgency: "f-urgency-normal",
  confidentiality: "f-confidentiality",
  due_date: "f-due_date",
  description: "f-description",
};

export function renderRegister(view) {
  const clerkUnits = clerkMemberships();
  const current = currentMembership();
  view.append(pageHeading(t("registerTitle")));
  if (!clerkUnits.length) {
    view.append(alertBox("error", t("registerNotClerk")));
    return { title: t("registerTitle") };
  }
  const defaultUnit = clerkUnits.find((m) => m.unit_id === current?.unit_id) || clerkUnits[0];
  const labels = {};    // control id → label text, for the error summary

  // ------------------------------------------------------------ controls
  const field = (...args) => formField(labels, ...args);
  const input = (name, attrs = {}) => h("input", { name, type: "text", ...attrs });

  const unitSelect = h("select", { name: "unit_id" },
    clerkUnits.map((m) => h("option", { value: m.unit_id, selected: m.unit_id === defaultUnit.unit_id }, m.unit_name)));
  // Each file uploads as soon as it is chosen (reserve → PUT bytes with progress).
  const files = fileUploader({ id: "f-files", name: "files", label: t("files"), hint: t("filesHint") });
  labels["f-files"] = t("sectionFiles");
  const codeNumber = input("code_number", { inputmode: "numeric", maxlength: "11", autocomplete: "off", pattern: "[0-9]*" });
  const codeNotation = input("code_notation", { maxlength: "30", autocomplete: "off", spellcheck: "false" });
  const issuedDate = input("issued_date", { type: "date", max: todayIso() });
  const documentType = h("select", { name: "document_type" },
    h("option", { value: "" }, t("chooseType")),
    DOCUMENT_TYPES.map(([key, vi, en]) => h("option", { value: key }, lang() === "en" ? `${en} (${vi})` : vi)));
  const subject = h("textarea", { name: "subject", rows: "3", maxlength: "500" });
  const pageAmount = input("page_amount", { type: "number", min: "1", max: "999", inputmode: "numeric" });
  const issuerName = input("issuer_name", { maxlength: "200", autocomplete: "organization" });
  const issuerOrganId = input("issuer_organ_id", { maxlength: "35", autocomplete: "off", spellcheck: "false" });
  const signerPosition = input("signer_position", { maxlength: "100" });
  const signerName = input("signer_full_name", { maxlength: "50", autocomplete: "off" });
  const confidentiality = h("select", { name: "confidentiality" },
    CONFIDENTIALITIES.map((c) => h("option", { value: c }, confidentialityLabel(c))));
  const dueDate = input("due_date", { type: "date", min: todayIso() });
  const description = h("textarea", { name: "description", rows: "2", maxlength: "500" });

  labels["f-urgency-normal"] = t("urgency");
  const urgencyGroup = h("fieldset", { class: "radio-group field field-wide", "aria-describedby": errorSlotId("f-urgency-normal") },
    h("legend", {}, t("urgency")),
    h("p", { class: "field-error", id: errorSlotId("f-urgency-normal"), hidden: true }),
    h("div", { class: "radio-row" }, URGENCIES.map((u) => h("label", { class: `radio urgency-choice urgency-choice-${u}` },
      h("input", { type: "radio", name: "urgency", value: u, id: `f-urgency-${u}`, checked: u === "normal" }),
      h("span", {}, urgencyLabel(u))))));

  const summary = h("div", { class: "error-summary", tabindex: "-1", hidden: true, role: "alert" });
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, t("submitRegister"));

  const form = h("form", { class: "register-form", novalidate: true, "aria-labelledby": "page-title" },
    h("p", { class: "muted" }, t("registerIntro")),
    summary,
    clerkUnits.length > 1 ? h("div", { class: "form-grid" }, field("f-unit_id", t("unit"), unitSelect, { required: true })) : null,
    h("fieldset", { class: "section" },
      h("legend", {}, t("sectionFiles")),
      files.element),
    h("fieldset", { class: "section" },
      h("legend", {}, t("sectionDocument")),
      h("div", { class: "form-grid" },
        field("f-code_number", t("codeNumber"), codeNumber, { hint: t("codeNumberHint"), required: true }),
        field("f-code_notation", t("codeNotation"), codeNotation, { hint: t("codeNotationHint"), required: true }),
        field("f-issued_date", t("issuedDate"), issuedDate, { required: true }),
        field("f-document_type", t("documentType"), documentType, { required: true }),
        field("f-subject", t("subject"), subject, { required: true, wide: true }),
        field("f-page_amount", t("pageAmount"), pageAmount))),
    h("fieldset", { class: "section" },
      h("legend", {}, t("sectionIssuer")),
      h("div", { class: "form-grid" },
        field("f-issuer-name", t("issuerName"), issuerName, { required: true, wide: true }),
        field("f-issuer-organ_id", t("issuerOrganId"), issuerOrganId, { hint: t("issuerOrganIdHint") }),
        h("div", { class: "field-spacer" }),
        field("f-signer-position", t("signerPosition"), signerPosition),
        field("f-signer-full_name", t("signerName"), signerName))),
    h("fieldset", { class: "section" },
      h("legend", {}, t("sectionHandling")),
      h("div", { class: "form-grid" },
        urgencyGroup,
        field("f-confidentiality", t("confidentiality"), confidentiality),
        field("f-due_date", t("dueDate"), dueDate),
        field("f-description", t("description"), description, { wide: true }))),
    h("div", { class: "form-actions" },
      submit,
      h("a", { href: "#/incoming", class: "btn btn-link" }, t("cancel"))));
  view.append(form);

  // ------------------------------------------------------------ errors
  const errors = formErrors(form, summary, {
    labels, heading: t("errorSummary"), controlFor: (key) => FIELD_IDS[key],
  });

  // ------------------------------------------------------------ submit
  function payload(confirmDuplicate) {
    const value = (el) => el.value.trim();
    const signer = { position: value(signerPosition) || undefined, full_name: value(signerName) || undefined };
    const body = {
      unit_id: clerkUnits.length > 1 ? unitSelect.value : defaultUnit.unit_id,
      code_number: value(codeNumber),
      code_notation: value(codeNotation),
      issued_date: issuedDate.value || undefined,
      issuer: { name: value(issuerName) },
      document_type: documentType.value || undefined,
      subject: value(subject),
      urgency: form.querySelector("input[name=urgency]:checked")?.value || "normal",
      confidentiality: confidentiality.value,
      due_date: dueDate.value || undefined,
      description: value(description) || undefined,
      file_ids: files.fileIds(),
    };
    if (value(issuerOrganId)) body.issuer.organ_id = value(issuerOrganId);
    if (value(pageAmount)) body.page_amount = Number(value(pageAmount));
    if (signer.position || signer.full_name) body.signer = signer;
    if (confirmDuplicate) body.confirm_duplicate = true;
    return body;
  }

  async function send(confirmDuplicate = false) {
    errors.clear();
    const uploadProblem = files.problem();
    if (uploadProblem) {
      errors.show(null, { file_ids: uploadProblem });
      return;
    }
    submit.disabled = true;
    submit.textContent = t("submitting");
    form.setAttribute("aria-busy", "true");
    try {
      const doc = await api.registerIncoming(payload(confirmDuplicate));
      setFlash("success", t("registeredFlash", doc.arrival_number), { highlight: doc.id });
      navigate("#/incoming");
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        confirmDuplicateDialog(error.message);
      } else if (error instanceof ApiError && error.status === 400) {
        errors.show(error.message, error.details);
      } else {
        errors.show(error.message, {});
      }
    } finally {
      submit.disabled = false;
      submit.textContent = t("submitRegister");
      form.removeAttribute("aria-busy");
    }
  }

  async function confirmDuplicateDialog(message) {
    const confirmed = await confirmDialog({
      id: "dup", title: t("duplicateTitle"), message, confirmLabel: t("duplicateConfirm"), confirmClass: "btn-warning",
    });
    if (confirmed) send(true);
    else submit.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(false);
  });

  return { title: t("registerTitle") };
}
