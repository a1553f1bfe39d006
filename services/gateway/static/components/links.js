// @ts-check
// Links to documents and the short texts that name them.

import { h } from "../dom.js";
import { t } from "../i18n.js";

/** A link to an incoming document's detail view. @param {string} documentId @param {string} [text] */
export function documentLink(documentId, text) {
  return h("a", { href: `#/documents/${encodeURIComponent(documentId)}`, class: "doc-link" }, text || t("none"));
}

/** A link to an outgoing document's detail view. @param {string} documentId @param {string} [text] */
export function outgoingLink(documentId, text) {
  return h("a", { href: `#/outgoing/${encodeURIComponent(documentId)}`, class: "doc-link" }, text || t("none"));
}

/** A notification's title without the server's "[KHẨN] " mark (its badge says it). @param {{title?: string, urgency?: string}} note */
export function notificationTitle(note) {
  const title = note.title || "";
  if (note.urgency && note.urgency !== "normal") return title.replace(/^\[[^\]]{1,20}\]\s*/, "");
  return title;
}

/**
 * Where a notification leads: its task, its document, a document another agency sent
 * (liên thông), the settings for a change of rights to confirm; else null.
 * @param {any} note @returns {string | null}
 */
export function notificationTarget(note) {
  if (note.task_id) return `#/tasks/${encodeURIComponent(note.task_id)}`;
  if (note.document_id) return `#/documents/${encodeURIComponent(note.document_id)}`;
  if (note.received_id) return `#/exchange/received/${encodeURIComponent(note.received_id)}`;
  return note.kind === "rights_changed" ? "#/settings" : null;
}

/** A document's số, ký hiệu ("12/QĐ-UBND"), or "—". @param {{code?: string, code_number?: any, code_notation?: string}} doc */
export function codeOf(doc) {
  if (doc.code) return doc.code;
  const parts = [doc.code_number, doc.code_notation].filter(Boolean);
  return parts.length ? parts.join("/") : t("none");
}
