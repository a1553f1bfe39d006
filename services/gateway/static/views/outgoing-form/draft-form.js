// @ts-check
// The fields of a draft văn bản đi, shared by the new-draft screen and the "save a new
// version" form of a draft. Problems the server finds are shown next to their fields and
// in a summary, as on the register form; a new version sends only what changed.

import { ApiError } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { dateProblems, errorSummary, formErrors, formField, problemText } from "../../widgets.js";
import { draftControls } from "./controls.js";
import { recipientBody, recipientsSection } from "./recipients.js";
import { relatedSection } from "./related.js";

/** @typedef {ReturnType<typeof draftControls>} Controls */
/** @typedef {import("./recipients.js").Recipient} Recipient */

// API field (as named in a 400's `details`) → the control's id, after the prefix
const FIELD_IDS = {
  unit_id: "unit_id", document_type: "document_type", subject: "subject",
  page_amount: "page_amount", issued_amount: "issued_amount", due_date: "due_date",
  keeper: "keeper", signer: "signer-position", "signer.position": "signer-position",
  "signer.full_name": "signer-full_name", urgency: "urgency-normal",
  confidentiality: "confidentiality", file_ids: "files", note: "note",
  related: "related-kind", "related.kind": "related-kind", "related.id": "related-doc",
};

/**
 * @typedef {object} DraftFormOptions
 * @property {string} prefix the controls' id prefix ("f-", "v-")
 * @property {Record<string, any> | null} [doc] the document whose current version fills it
 * @property {any[]} [units] the memberships the caller drafts in (a choice when more than one)
 * @property {string} submitLabel
 * @property {string} submitId
 * @property {HTMLElement} [cancel]
 * @property {(body: Record<string, any>) => Promise<void>} save a rejection with an ApiError shows its problems
 */

/** The form's sections. @param {(name: string) => string} id @param {Controls} c @param {Record<string, string>} labels @param {HTMLElement} recipients @param {HTMLElement} related */
function sections(id, c, labels, recipients, related) {
  /** @param {string} name @param {string} label @param {import("../../components/forms.js").Control} control @param {object} [options] */
  const field = (name, label, control, options) => formField(labels, id(name), label, control, options);
  /** @param {string} legend @param {...import("../../dom.js").Child} content */
  const section = (legend, ...content) => h("fieldset", { class: "section" }, h("legend", {}, legend), ...content);
  return [
    section(t("sectionContent"), h("div", { class: "form-grid" },
      field("document_type", t("documentType"), c.documentType, { required: true }),
      field("page_amount", t("pageAmount"), c.pageAmount),
      field("subject", t("subject"), c.subject, { required: true, wide: true }))),
    section(t("sectionSigner"), h("p", { class: "hint section-hint" }, t("signerDraftHint")), h("div", { class: "form-grid" },
      field("signer-position", t("signerPosition"), c.signerPosition),
      field("signer-full_name", t("signerName"), c.signerName))),
    recipients,
    related,
    section(t("sectionIssue"), h("div", { class: "form-grid" },
      c.urgency,
      field("confidentiality", t("confidentiality"), c.confidentiality),
      field("issued_amount", t("issuedAmount"), c.issuedAmount),
      field("due_date", t("replyDue"), c.dueDate),
      field("keeper", t("keeper"), c.keeper))),
    section(t("sectionDraftFiles"), c.files.element),
    section(t("sectionNote"), h("div", { class: "form-grid" },
      field("note", t("versionNote"), c.note, { hint: t("versionNoteHint"), wide: true }))),
  ];
}

/** The draft's values as the API names them. @param {Controls} c @param {Recipient[]} chosen @param {HTMLFormElement} form @param {string} prefix @param {() => any} related */
function values(c, chosen, form, prefix, related) {
  /** @param {HTMLInputElement | HTMLTextAreaElement} el */
  const v = (el) => el.value.trim();
  /** @param {HTMLInputElement} el */
  const number = (el) => (v(el) === "" ? null : Number(v(el)));
  return {
    document_type: c.documentType.value || null,
    subject: v(c.subject),
    page_amount: number(c.pageAmount),
    signer: { position: v(c.signerPosition) || null, full_name: v(c.signerName) || null },
    recipients: chosen.map(recipientBody),
    urgency: /** @type {HTMLInputElement | null} */ (form.querySelector(`input[name="${prefix}urgency"]:checked`))?.value || "normal",
    confidentiality: c.confidentiality.value,
    issued_amount: number(c.issuedAmount),
    due_date: c.dueDate.value() || null,
    keeper: v(c.keeper) || null,
    related: related(),
  };
}

/** Everything given, for a new draft. @param {Record<string, any>} now @param {Controls} c @param {any[]} units */
function newDraftBody(now, c, units) {
  /** @type {Record<string, any>} */
  const body = { unit_id: units.length > 1 ? c.unitSelect.value : units[0]?.unit_id };
  for (const [key, value] of Object.entries(now)) {
    if (key === "signer") {
      if (value.position || value.full_name) body.signer = value;
    } else if (key === "recipients") {
      body.recipients = value;
    } else if (value !== null && value !== "") {
      body[key] = value;
    }
  }
  const fileIds = c.files.fileIds();
  if (fileIds.length) body.file_ids = fileIds;
  return body;
}

/** Only what changed since `baseline`, for a new version. @param {Record<string, any>} now @param {Record<string, any>} baseline @param {Controls} c @param {string} baselineFiles */
function versionBody(now, baseline, c, baselineFiles) {
  /** @type {Record<string, any>} */
  const body = {};
  for (const [key, value] of Object.entries(now)) {
    if (JSON.stringify(value) !== JSON.stringify(baseline[key])) body[key] = value;
  }
  const fileIds = c.files.fileIds();
  if (JSON.stringify(fileIds) !== baselineFiles) body.file_ids = fileIds;
  return body;
}

/** A problem with the n-th recipient says which one it is. @param {Record<string, any>} details @param {Recipient[]} chosen */
function withRecipientNames(details, chosen) {
  return Object.fromEntries(Object.entries(details || {}).map(([key, problem]) => {
    const match = /^recipients\[(\d+)\]/.exec(key);
    const recipient = match ? chosen[Number(match[1])] : null;
    return [key, recipient ? `${recipient.name}: ${problemText(problem)}` : problem];
  }));
}

/** @param {DraftFormOptions} options */
export function draftForm({ prefix, doc = null, units = [], submitLabel, submitId, cancel, save }) {
  /** @param {string} name */
  const id = (name) => `${prefix}${name}`;
  const labels = { [id("files")]: t("sectionDraftFiles"), [id("urgency-normal")]: t("urgency"),
    [id("recipients")]: t("sectionRecipients"), [id("ext-name")]: t("externalName"),
    [id("related-kind")]: t("relatedKind"), [id("related-doc")]: t("relatedDocument") };
  const creating = !doc;
  const choosingUnit = creating && units.length > 1;
  const c = draftControls({ id, prefix, doc, units });
  /** @type {Recipient[]} */
  const chosen = (doc?.recipients || []).map((r) => ({ unit_id: r.unit_id || undefined, organ_id: r.organ_id || undefined, name: r.name }));
  const recipients = recipientsSection({
    id, chosen, delivery: (r) => (r.unit_id ? "internal" : (r.organ_id && c.confidentiality.value === "none" ? "exchange" : "paper")),
  });
  c.confidentiality.addEventListener("change", recipients.redraw);
  const related = relatedSection({ id, doc, unitId: () => doc?.unit_id || (choosingUnit ? c.unitSelect.value : units[0]?.unit_id) });
  c.unitSelect.addEventListener("change", related.reload);
  const summary = errorSummary();
  const submit = h("button", { type: "submit", class: "btn btn-primary", id: submitId }, submitLabel);
  const form = h("form", { class: "register-form draft-form", novalidate: true },
    summary,
    choosingUnit ? h("div", { class: "form-grid" }, formField(labels, id("unit_id"), t("draftUnit"), c.unitSelect, { required: true })) : null,
    sections(id, c, labels, recipients.element, related.element),
    h("div", { class: "form-actions" }, submit, cancel || null));
  const errors = formErrors(form, summary, {
    labels, heading: t("draftErrorSummary"),
    controlFor: (key) => {
      if (key === "recipients" || key.startsWith("recipients[")) return id("recipients");
      if (key === "unit_id" && !choosingUnit) return null;
      return FIELD_IDS[key] ? id(FIELD_IDS[key]) : null;
    },
  });
  const baseline = doc ? { ...values(c, chosen, form, prefix, related.value), related: doc.related || null } : null;
  const baselineFiles = JSON.stringify(doc?.file_ids || []);

  /** What to send, with the version note; null when a day typed is no day (said on the form). */
  function payload() {
    const wrongDays = dateProblems({ due_date: c.dueDate });
    if (Object.keys(wrongDays).length) {
      errors.show(null, wrongDays);
      return null;
    }
    const now = values(c, chosen, form, prefix, related.value);
    const body = creating ? newDraftBody(now, c, units) : versionBody(now, baseline, c, baselineFiles);
    if (c.note.value.trim()) body.note = c.note.value.trim();
    return body;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const uploadProblem = c.files.problem();
    if (uploadProblem) {
      errors.show(null, { file_ids: uploadProblem });
      return;
    }
    const body = payload();
    if (!body) return;
    if (!creating && !Object.keys(body).length) {
      errors.show(t("noChanges"), {});
      return;
    }
    submit.disabled = true;
    submit.textContent = t("saving");
    form.setAttribute("aria-busy", "true");
    try {
      await save(body);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) errors.show(error.message, withRecipientNames(error.details, chosen));
      else errors.show(error.message, {});
    } finally {
      submit.disabled = false;
      submit.textContent = submitLabel;
      form.removeAttribute("aria-busy");
    }
  });
  return { form, focus: choosingUnit ? c.unitSelect : c.documentType };
}
