// One văn bản đến: its particulars and files, its processing ("Xử lý": who handles
// which part, and the steps the caller may take), the tasks given from it, copies for
// the unit's clerk and its processing history. Someone given a part of another unit's
// document may read its processing but not the document (the API refuses): they get
// the processing panel with what the inbox said about it. An outgoing document's id
// goes to its own screen.

import { ApiError, api } from "../api.js";
import { alertBox, confidentialityBadge, h, loadingBox, urgencyBadge } from "../dom.js";
import {
  confidentialityLabel, documentTypeLabel, formatDate, formatDateTime, incomingStateLabel, t, urgencyLabel,
} from "../i18n.js";
import { hasRole, workSummary } from "../state.js";
import { attachmentItem, codeOf, errorPanel, historyPanel } from "../widgets.js";
import { copyPanel } from "./copy.js";
import { processingPanel } from "./processing.js";
import { documentTasksPanel } from "./tasks.js";

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
      if (error instanceof ApiError && error.status === 404) {
        // A notification or a link may name an outgoing document by its id.
        try {
          await api.getOutgoing(id);
          location.replace(`#/outgoing/${encodeURIComponent(id)}`);
          return;
        } catch {
          /* neither: say the incoming one is not found */
        }
      }
      if (error instanceof ApiError && error.status === 403) {
        drawPartOnly(error);
        return;
      }
      body.replaceChildren(errorPanel(error, load));
    }
  }

  function row(label, value, attrs = {}) {
    return [h("dt", {}, label), h("dd", attrs, value === null || value === undefined || value === "" ? t("none") : value)];
  }

  function draw(doc) {
    heading.textContent = doc.subject || t("documentTitle");
    document.title = `${doc.subject || t("documentTitle")} · e-Office`;
    const signer = [doc.signer?.position, doc.signer?.full_name].filter(Boolean).join(" ");
    const issuer = [doc.issuer?.name, doc.issuer?.organ_id ? `(${doc.issuer.organ_id})` : null].filter(Boolean).join(" ");
    const files = h("ul", { class: "attachment-list" });
    const stateCell = h("dd", { id: "doc-state" }, incomingStateLabel(doc.state));
    let history = historyPanel(doc.id);
    const refreshHistory = () => {
      const fresh = historyPanel(doc.id);
      history.replaceWith(fresh);
      history = fresh;
    };
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
            h("dt", {}, t("state")), stateCell,
            row(t("description"), doc.description))),
        h("section", { class: "panel", "aria-labelledby": "doc-files" },
          h("h2", { id: "doc-files" }, t("attachments")),
          doc.file_ids?.length ? files : h("p", { class: "muted" }, t("noAttachments")))),
      h("div", { class: "doc-stack doc-after" },
        // Where its handling stands and the caller's steps; each step updates the
        // document's state (documents follows workflow's events) and the history.
        processingPanel({
          documentId: doc.id, doc,
          onChange: (processing) => {
            if (processing.document_state) stateCell.textContent = incomingStateLabel(processing.document_state);
            refreshHistory();
          },
        }),
        // Tasks (công việc) given from it that the caller sees, and giving one.
        documentTasksPanel(doc),
        // A clerk of the unit copies it (sao y, sao lục, trích sao); everyone who sees it
        // reads and exports its processing history.
        hasRole("clerk", doc.unit_id) ? copyPanel(doc) : null,
        history));
    for (const fileId of doc.file_ids || []) files.append(attachmentItem(fileId));
  }

  /** The caller has a part in the document's handling but may not read the document. */
  function drawPartOnly(error) {
    const summary = workSummary(id);
    if (summary?.subject) {
      heading.textContent = summary.subject;
      document.title = `${summary.subject} · e-Office`;
    }
    body.replaceChildren(h("div", { class: "doc-stack" },
      summary ? h("div", { class: "doc-badges" },
        h("span", { class: "eyebrow" }, [t("documentTitle"), summary.code, summary.issuer_name,
          summary.arrival_number != null ? `${t("arrivalNumber")} ${summary.arrival_number}` : null].filter(Boolean).join(" · ")),
        urgencyBadge(summary.urgency, { showNormal: false })) : null,
      alertBox("info", h("p", { id: "doc-part-only" }, t("partOnlyNotice")), h("p", { class: "muted" }, error.message)),
      processingPanel({ documentId: id, doc: null })));
  }

  load();
  return { title: t("documentTitle") };
}
