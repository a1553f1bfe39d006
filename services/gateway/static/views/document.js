import { api } from "../api.js";
import { confidentialityBadge, h, loadingBox, urgencyBadge } from "../dom.js";
import {
  confidentialityLabel, documentTypeLabel, formatDate, formatDateTime, t, urgencyLabel,
} from "../i18n.js";
import { hasRole } from "../state.js";
import { attachmentItem, codeOf, errorPanel, historyPanel } from "../widgets.js";
import { copyPanel } from "./copy.js";

export function renderDocument(view, params) {
  const id = params.id;
  const heading = h("h1", { tabindex: "-1", id: "page-title" }, t("documentTitle"));
  const body = h("div", {}, loadingBox());
  view.append(
    h("p", { class: "back" }, h("a", { href: "#/incoming", onclick: (event) => {
      if (history.length > 1) {
        event.preventDefault();
        history.back();
      }
    } }, "‹ ", t("back"))),
    h("div", { class: "page-head" }, heading),
    body);

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      const doc = await api.getIncoming(id);
      draw(doc);
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  function row(label, value) {
    return [h("dt", {}, label), h("dd", {}, value === null || value === undefined || value === "" ? t("none") : value)];
  }

  function draw(doc) {
    heading.textContent = doc.subject || t("documentTitle");
    document.title = `${doc.subject || t("documentTitle")} · e-Office`;
    const signer = [doc.signer?.position, doc.signer?.full_name].filter(Boolean).join(" ");
    const issuer = [doc.issuer?.name, doc.issuer?.organ_id ? `(${doc.issuer.organ_id})` : null].filter(Boolean).join(" ");
    const stateKey = `state_${doc.state}`;
    const files = h("ul", { class: "attachment-list" });
    body.replaceChildren(
      h("div", { class: "doc-badges" },
        h("span", { class: "eyebrow" }, `${t("documentTitle")} · ${t("arrivalNumber")} ${doc.arrival_number}`),
        urgencyBadge(doc.urgency, { showNormal: false }), confidentialityBadge(doc.confidentiality)),
      h("div", { class: "doc-layout" },
        h("section", { class: "panel", "aria-labelledby": "doc-info" },
          h("h2", { id: "doc-info", class: "visually-hidden" }, t("sectionDocument")),
          h("dl", { class: "detail-list" },
            row(t("arrivalNumber"), h("strong", { id: "doc-arrival-number" }, String(doc.arrival_number))),
            row(t("arrivalDate"), formatDateTime(doc.arrival_date)),
            row(t("colCode"), codeOf(doc)),
            row(t("issuedDate"), formatDate(doc.issued_date)),
            row(t("documentType"), documentTypeLabel(doc.document_type, doc.document_type_name)),
            row(t("issuer"), issuer),
            row(t("signer"), signer),
            row(t("pageAmount"), doc.page_amount != null ? String(doc.page_amount) : null),
            row(t("urgency"), urgencyLabel(doc.urgency)),
            row(t("confidentiality"), confidentialityLabel(doc.confidentiality)),
            row(t("dueDate"), doc.due_date ? formatDate(doc.due_date) : null),
            row(t("unit"), doc.unit_name),
            row(t("state"), t(stateKey) === stateKey ? doc.state : t(stateKey)),
            row(t("description"), doc.description))),
        h("section", { class: "panel", "aria-labelledby": "doc-files" },
          h("h2", { id: "doc-files" }, t("attachments")),
          doc.file_ids?.length ? files : h("p", { class: "muted" }, t("noAttachments")))),
      // A clerk of the unit copies it (sao y, sao lục, trích sao); everyone who sees it
      // may export its processing history.
      h("div", { class: "doc-stack doc-after" },
        hasRole("clerk", doc.unit_id) ? copyPanel(doc) : null,
        historyPanel(doc.id, { table: false })));
    for (const fileId of doc.file_ids || []) files.append(attachmentItem(fileId));
  }

  load();
  return { title: t("documentTitle") };
}
