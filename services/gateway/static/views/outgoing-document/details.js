// @ts-check
// An outgoing document's particulars, its badges (code, state, urgency, secrecy) and why
// it was returned, recalled or cancelled.

import { formatDate, formatDateTime } from "../../dates.js";
import { alertBox, confidentialityBadge, h, stateBadge, urgencyBadge } from "../../dom.js";
import { t } from "../../i18n.js";
import { confidentialityLabel, documentTypeLabel, urgencyLabel } from "../../labels.js";
import { relationRows } from "../../components/related.js";
import { attachmentItem, codeOf } from "../../widgets.js";

const WITH_REASON = ["returned", "recalled", "cancelled"];

/** @param {string} label @param {any} value @param {Record<string, any>} [attrs] */
function row(label, value, attrs = {}) {
  const empty = value === null || value === undefined || value === "";
  return [h("dt", {}, label), h("dd", attrs, empty ? t("none") : value)];
}

/** @param {Record<string, any>} doc */
export function badges(doc) {
  return h("div", { class: "doc-badges" },
    h("span", { class: "eyebrow" }, `${t("outgoingDocTitle")} · `,
      doc.code_number ? codeOf(doc) : t("notNumbered")),
    stateBadge(doc.state, doc.state_name, { id: "doc-state" }),
    urgencyBadge(doc.urgency, { showNormal: false }), confidentialityBadge(doc.confidentiality));
}

/** Why the document is where it is (returned, recalled, cancelled), or null. @param {Record<string, any>} doc */
export function stateReason(doc) {
  if (!doc.state_reason || !WITH_REASON.includes(doc.state)) return null;
  return alertBox("warning", h("p", { id: "doc-state-reason" },
    h("strong", {}, `${t(`reason_${doc.state}`)}: `), doc.state_reason));
}

/** @param {Record<string, any>} doc */
function particulars(doc) {
  const numbered = Boolean(doc.code_number);
  const signer = [doc.signer?.position, doc.signer?.full_name].filter(Boolean).join(" ");
  return h("dl", { class: "detail-list" },
    row(t("colCode"), numbered ? h("strong", {}, codeOf(doc)) : t("notNumbered"), { id: "doc-code" }),
    row(t("issuedDate"), doc.issued_date ? formatDate(doc.issued_date) : null),
    row(t("documentType"), documentTypeLabel(doc.document_type, doc.document_type_name)),
    row(t("subject"), doc.subject),
    relationRows(doc, "outgoing"),
    row(t("draftingUnitLabel"), doc.unit_name),
    row(t("signer"), signer, { id: "doc-signer" }),
    row(t("urgency"), urgencyLabel(doc.urgency)),
    row(t("confidentiality"), confidentialityLabel(doc.confidentiality)),
    row(t("pageAmount"), doc.page_amount != null ? String(doc.page_amount) : null, { id: "doc-page-amount" }),
    row(t("issuedAmount"), doc.issued_amount != null ? String(doc.issued_amount) : null),
    row(t("replyDue"), doc.due_date ? formatDate(doc.due_date) : null),
    row(t("keeper"), doc.keeper),
    doc.description ? row(t("description"), doc.description) : null,
    row(t("version"), String(doc.version), { id: "doc-version" }),
    row(t("createdAt"), formatDateTime(doc.created_at)),
    row(t("updatedAt"), formatDateTime(doc.updated_at)),
    doc.issued_at ? row(t("issuedAt"), formatDateTime(doc.issued_at)) : null);
}

/** The particulars and the attachments, side by side. @param {Record<string, any>} doc */
export function detailsLayout(doc) {
  return h("div", { class: "doc-layout" },
    h("section", { class: "panel", "aria-labelledby": "doc-info" },
      h("h2", { id: "doc-info", class: "visually-hidden" }, t("sectionDocument")),
      particulars(doc)),
    h("section", { class: "panel", "aria-labelledby": "doc-files" },
      h("h2", { id: "doc-files" }, t("attachments")),
      doc.file_ids?.length
        ? h("ul", { class: "attachment-list" }, doc.file_ids.map(attachmentItem))
        : h("p", { class: "muted" }, t("noAttachments"))));
}
