// @ts-check
// One văn bản đến: its particulars and files, the verification of its PDFs' digital
// signatures (what the clerk checked on registering it), its processing ("Xử lý": who handles
// which part, and the steps the caller may take), the tasks given from it, copies for
// the unit's clerk and its processing history. Someone given a part of another unit's
// document may read its processing but not the document (the API refuses): they get
// the processing panel with what the inbox said about it. An outgoing document's id
// goes to its own screen.

import { ApiError, api } from "../api.js";
import { formatDate, formatDateTime } from "../dates.js";
import { alertBox, confidentialityBadge, h, loadingBox, urgencyBadge } from "../dom.js";
import { t } from "../i18n.js";
import { confidentialityLabel, documentTypeLabel, incomingStateLabel, urgencyLabel } from "../labels.js";
import { relationRows } from "../components/related.js";
import { clerkMemberships, hasRole, hooks, workSummary } from "../state.js";
import { attachmentItem, codeOf, errorPanel, historyPanel, signaturesSection } from "../widgets.js";
import { changeAnswerPanel, changesList } from "../components/change-answer.js";
import { copyPanel } from "./copy.js";
import { processingPanel } from "./processing/panel.js";
import { documentTasksPanel } from "./tasks/document-tasks.js";

/** @param {string} label @param {any} value @param {Record<string, any>} [attrs] */
function row(label, value, attrs = {}) {
  return [h("dt", {}, label), h("dd", attrs, value === null || value === undefined || value === "" ? t("none") : value)];
}

/** The particulars and the files, side by side. @param {Record<string, any>} doc @param {HTMLElement} stateCell */
function detailsLayout(doc, stateCell) {
  const signer = [doc.signer?.position, doc.signer?.full_name].filter(Boolean).join(" ");
  const issuer = [doc.issuer?.name, doc.issuer?.organ_id ? `(${doc.issuer.organ_id})` : null].filter(Boolean).join(" ");
  return h("div", { class: "doc-layout" },
    h("section", { class: "panel", "aria-labelledby": "doc-info" },
      h("h2", { id: "doc-info", class: "visually-hidden" }, t("sectionDocument")),
      h("dl", { class: "detail-list" },
        row(t("arrivalNumber"), h("strong", { id: "doc-arrival-number" }, String(doc.arrival_number))),
        row(t("arrivalDate"), formatDateTime(doc.arrival_date)),
        row(t("colCode"), codeOf(doc)),
        row(t("issuedDate"), formatDate(doc.issued_date)),
        row(t("documentType"), documentTypeLabel(doc.document_type, doc.document_type_name)),
        row(t("issuer"), issuer),
        relationRows(doc, "incoming"),
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
      doc.file_ids?.length
        ? h("ul", { class: "attachment-list" }, doc.file_ids.map(attachmentItem))
        : h("p", { class: "muted" }, t("noAttachments"))));
}

/** The unit a clerk copies the document into: its own unit if they keep its register, else their first. @param {Record<string, any>} doc */
function copyUnit(doc) {
  const units = clerkMemberships().map((m) => m.unit_id);
  return units.includes(doc.unit_id) ? doc.unit_id : units[0];
}

/**
 * What the sender (a unit of this system) asks of this copy and its văn thư has not
 * answered — a recall or an update — in the one answer form (components/change-answer.js);
 * the answers given before, below it. Null when there is neither.
 * @param {Record<string, any>} doc
 * @param {{redraw: (doc: Record<string, any>) => void, gone: () => void, reload: () => void,
 *   say: (kind: string, ...children: import("../dom.js").Child[]) => void}} host
 */
function changePanel(doc, host) {
  const asked = doc.change_request;
  const answers = (doc.change_answers || []).map((/** @type {Record<string, any>} */ a) => h("li", {
    class: ["change-answer", a.agreed ? "is-agreed" : "is-refused"], dataset: { kind: a.kind, agreed: String(a.agreed) },
  },
  h("strong", {}, t(a.agreed ? `changeAgreed_${a.kind}` : `changeRefused_${a.kind}`)),
  h("span", { class: "muted" }, ` · ${formatDateTime(a.answered_at)}`),
  a.reason ? h("span", { class: "change-reason" }, t("changeReason", a.reason)) : null,
  a.kind === "update" ? changesList(a.changes) : null));
  const earlier = answers.length ? h("section", { class: "panel", id: "doc-change-answers", "aria-labelledby": "doc-change-answers-title" },
    h("h2", { id: "doc-change-answers-title" }, t("changeAnswersTitle")),
    h("ul", { class: "change-answers" }, answers)) : null;
  if (!asked) return earlier;
  const send = async (/** @type {Record<string, any>} */ body) => {
    const answer = await api.answerIncomingChange(doc.id, body);
    hooks.refreshCounts();
    if (answer.withdrawn) host.gone();
    else {
      host.redraw(answer.document);
      host.say("success", h("p", { id: "step-done" }, t(body.agree ? `changeAgreedFlash_${asked.kind}` : "changeRefusedFlash")));
    }
  };
  return [changeAnswerPanel({
    kind: asked.kind, idPrefix: "change", reason: asked.reason, askedAt: asked.asked_at, from: doc.issuer?.name,
    changes: asked.changes, mayAnswer: hasRole("clerk", doc.unit_id),
    agreeMessage: t(asked.kind === "recall" ? "recallAgreeIncoming" : "updateAgreeMessage"),
    agree: () => send({ agree: true }),
    refuse: (reason) => send({ agree: false, reason }),
    moved: (error) => {
      host.say("error", h("p", {}, error.message));
      host.reload();
    },
    say: host.say,
  }), earlier];
}

/** @param {Record<string, any>} doc @param {Parameters<typeof changePanel>[1]} host */
function drawDocument(doc, host) {
  const stateCell = h("dd", { id: "doc-state" }, incomingStateLabel(doc.state));
  let history = historyPanel(doc.id);
  const refreshHistory = () => {
    const fresh = historyPanel(doc.id);
    history.replaceWith(fresh);
    history = fresh;
  };
  return [
    h("div", { class: "doc-badges" },
      h("span", { class: "eyebrow" }, `${t("documentTitle")} · ${t("arrivalNumber")} ${doc.arrival_number}`),
      urgencyBadge(doc.urgency, { showNormal: false }), confidentialityBadge(doc.confidentiality)),
    h("div", { class: "doc-stack doc-changes" }, changePanel(doc, host)),
    detailsLayout(doc, stateCell),
    h("div", { class: "doc-stack doc-after" },
      // Each PDF's digital signatures as the signing service verified them.
      signaturesSection({ id: "doc-signatures", fileIds: doc.file_ids || [] }),
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
      // A clerk copies it (sao y, sao lục, trích sao) when the API says they may;
      // everyone who sees it reads and exports its processing history.
      (doc.allowed_actions || []).includes("copy") && copyUnit(doc) ? copyPanel(doc, copyUnit(doc)) : null,
      history),
  ];
}

/** The caller has a part in the document's handling but may not read the document. @param {string} id @param {any} error @param {HTMLElement} heading */
function drawPartOnly(id, error, heading) {
  const summary = workSummary(id);
  if (summary?.subject) {
    heading.textContent = summary.subject;
    document.title = `${summary.subject} · e-Office`;
  }
  return h("div", { class: "doc-stack" },
    summary ? h("div", { class: "doc-badges" },
      h("span", { class: "eyebrow" }, [t("documentTitle"), summary.code, summary.issuer_name,
        summary.arrival_number != null ? `${t("arrivalNumber")} ${summary.arrival_number}` : null].filter(Boolean).join(" · ")),
      urgencyBadge(summary.urgency, { showNormal: false })) : null,
    alertBox("info", h("p", { id: "doc-part-only" }, t("partOnlyNotice")), h("p", { class: "muted" }, error.message)),
    processingPanel({ documentId: id, doc: null }));
}

/** #/documents/{id}. @param {HTMLElement} view @param {Record<string, string>} params */
export function renderDocument(view, params) {
  const id = params.id;
  const heading = h("h1", { tabindex: "-1", id: "page-title" }, t("documentTitle"));
  const body = h("div", {}, loadingBox());
  const message = h("div", { id: "doc-message", class: "doc-message", tabindex: "-1" });
  /** @type {Parameters<typeof changePanel>[1]} */
  const host = {
    redraw: (doc) => {
      heading.textContent = doc.subject || t("documentTitle");     // an update may change it
      body.replaceChildren(...drawDocument(doc, host));
    },
    gone: () => {
      // withdrawn: deleted with its metadata, only the recall log stays
      body.replaceChildren(alertBox("success", h("p", { id: "doc-withdrawn" }, t("changeWithdrawnFlash")),
        h("p", {}, h("a", { href: "#/incoming" }, t("back")))));
      message.replaceChildren();
    },
    reload: () => load(),
    say(kind, ...children) {
      message.replaceChildren(alertBox(kind, ...children));
      message.focus();
    },
  };
  view.append(
    h("p", { class: "back" }, h("a", { href: "#/incoming", onclick: (/** @type {Event} */ event) => {
      if (history.length > 1) {
        event.preventDefault();
        history.back();
      }
    } }, "‹ ", t("back"))),
    h("div", { class: "page-head" }, heading),
    message,
    body);

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      const doc = await api.getIncoming(id);
      heading.textContent = doc.subject || t("documentTitle");
      document.title = `${doc.subject || t("documentTitle")} · e-Office`;
      body.replaceChildren(...drawDocument(doc, host));
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
        body.replaceChildren(drawPartOnly(id, error, heading));
        return;
      }
      body.replaceChildren(errorPanel(error, load));
    }
  }

  load();
  return { title: t("documentTitle") };
}
