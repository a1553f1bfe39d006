// @ts-check
// A link to the document a task comes from: an incoming one, else an outgoing one.

import { api } from "../../api.js";
import { codeOf, documentLink } from "../../widgets.js";

/**
 * A link to the document a task comes from; its code and subject once read (`text`
 * until then).
 * @param {string} documentId
 * @param {string} text
 */
export function documentRef(documentId, text) {
  const link = documentLink(documentId, text);
  /** @param {any} doc */
  const label = (doc) => [doc.code_number ? codeOf(doc) : null, doc.subject].filter(Boolean).join(" — ");
  api.getIncoming(documentId).then((doc) => {
    link.textContent = label(doc);
  }).catch(() => api.getOutgoing(documentId).then((doc) => {
    link.href = `#/outgoing/${encodeURIComponent(documentId)}`;
    link.textContent = label(doc);
  })).catch(() => {});
  return link;
}
