// @ts-check
// The controls of a draft văn bản đi: type (the server's list, our names), subject,
// page count, signer, urgency, confidentiality, issue particulars, files and the
// version note; filled from a document's current version.

import { api } from "../../api.js";
import { todayIso } from "../../dates.js";
import { h } from "../../dom.js";
import { lang, t } from "../../i18n.js";
import { codes, confidentialityLabel, documentTypeLabel, terms, urgencyLabel } from "../../labels.js";
import { dateField, errorSlotId, fileUploader } from "../../widgets.js";

/** @typedef {{key: string, name: string}} DocumentType */

// The document types the server offers, read once per page load.
/** @type {Promise<DocumentType[]> | null} */
let typesPromise = null;

/** The vocabulary's document types, as the server lists them. @returns {DocumentType[]} */
const vocabularyTypes = () => terms("document_types").map((term) => ({ key: term.code, name: term.vi }));

/** @returns {Promise<DocumentType[]>} */
function documentTypes() {
  if (!typesPromise) {
    typesPromise = api.documentTypes().then((r) => r.items || []).catch(() => {
      typesPromise = null;
      return vocabularyTypes();
    });
  }
  return typesPromise;
}

/** @param {string} key @param {string} name */
function typeOptionText(key, name) {
  const label = documentTypeLabel(key, name);
  return lang() === "en" && label !== name ? `${label} (${name})` : label;
}

/**
 * The types: ours at once, the server's when they arrive; the chosen one is kept even
 * if it is not listed.
 * @param {HTMLSelectElement} select @param {Record<string, any> | null} doc
 */
function offerTypes(select, doc) {
  /** @param {DocumentType[]} types */
  const set = (types) => {
    const current = select.value || doc?.document_type || "";
    const options = types.map((ty) => h("option", { value: ty.key }, typeOptionText(ty.key, ty.name)));
    if (current && !types.some((ty) => ty.key === current)) {
      options.push(h("option", { value: current }, typeOptionText(current, doc?.document_type_name || current)));
    }
    select.replaceChildren(h("option", { value: "" }, t("chooseType")), ...options);
    select.value = current;
  };
  set(vocabularyTypes());
  documentTypes().then(set);
}

/** The urgency radios. @param {(name: string) => string} id @param {string} prefix @param {string} chosen */
function urgencyGroup(id, prefix, chosen) {
  return h("fieldset", { class: "radio-group field field-wide" },
    h("legend", {}, t("urgency")),
    h("p", { class: "field-error", id: errorSlotId(id("urgency-normal")), hidden: true }),
    h("div", { class: "radio-row" }, codes("urgencies").map((u) => h("label", { class: `radio urgency-choice urgency-choice-${u}` },
      h("input", { type: "radio", name: `${prefix}urgency`, value: u, id: id(`urgency-${u}`), checked: u === chosen }),
      h("span", {}, urgencyLabel(u))))));
}

/**
 * @param {{id: (name: string) => string, prefix: string, doc: Record<string, any> | null, units: any[]}} options
 */
export function draftControls({ id, prefix, doc, units }) {
  /** @param {string} name @param {Record<string, any>} [attrs] */
  const input = (name, attrs = {}) => h("input", { name, type: "text", ...attrs });
  const controls = {
    unitSelect: h("select", { name: "unit_id" }, units.map((m) => h("option", { value: m.unit_id }, m.unit_name))),
    documentType: h("select", { name: "document_type" }, h("option", { value: "" }, t("chooseType"))),
    subject: h("textarea", { name: "subject", rows: "3", maxlength: "500" }),
    pageAmount: input("page_amount", { type: "number", min: "1", max: "999", inputmode: "numeric" }),
    signerPosition: input("signer_position", { maxlength: "100" }),
    signerName: input("signer_full_name", { maxlength: "50", autocomplete: "off" }),
    confidentiality: h("select", { name: "confidentiality" },
      codes("confidentialities").map((c) => h("option", { value: c }, confidentialityLabel(c)))),
    issuedAmount: input("issued_amount", { type: "number", min: "1", max: "999", inputmode: "numeric" }),
    dueDate: dateField({ name: "due_date", min: todayIso(), value: doc?.due_date || "", label: t("replyDue") }),
    keeper: input("keeper", { maxlength: "200" }),
    note: h("textarea", { name: "note", rows: "2", maxlength: "500" }),
    files: fileUploader({ id: id("files"), label: t("draftFiles"), hint: t("draftFilesHint"), existing: doc?.file_ids || [] }),
    urgency: urgencyGroup(id, prefix, doc?.urgency || "normal"),
  };
  if (doc) {
    controls.subject.value = doc.subject || "";
    controls.pageAmount.value = doc.page_amount ?? "";
    controls.signerPosition.value = doc.signer?.position || "";
    controls.signerName.value = doc.signer?.full_name || "";
    controls.confidentiality.value = doc.confidentiality || "none";
    controls.issuedAmount.value = doc.issued_amount ?? "";
    controls.keeper.value = doc.keeper || "";
  }
  offerTypes(controls.documentType, doc);
  return controls;
}
