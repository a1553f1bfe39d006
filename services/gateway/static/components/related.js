// @ts-check
// How a document stands to an earlier one of its unit (ND30 Điều 18.3): "Thay thế văn bản …",
// "Đính chính văn bản …", and on the earlier one "Đã bị thay thế bởi …", each a link to the
// other document named by its số/ký hiệu (read when the caller may see it; else a plain link).

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { codeOf, documentLink, outgoingLink } from "./links.js";

/** @typedef {"incoming" | "outgoing"} Direction */

/** A link to a document of `direction`, its text the số/ký hiệu and subject once read. @param {Direction} direction @param {string} id @param {string} linkId */
export function relatedLink(direction, id, linkId) {
  const link = (direction === "outgoing" ? outgoingLink : documentLink)(id, t("relatedDocument"));
  link.id = linkId;
  const read = direction === "outgoing" ? api.getOutgoing(id) : api.getIncoming(id);
  read.then((doc) => {
    link.textContent = [doc.code_number ? codeOf(doc) : null, doc.subject].filter(Boolean).join(" — ");
  }).catch(() => { /* not the caller's to see: the link stays generic */ });
  return link;
}

/**
 * The rows of a detail list (dt/dd) saying what `doc` replaces or corrects and what replaced
 * it; none when it stands alone.
 * @param {Record<string, any>} doc @param {Direction} direction
 */
export function relationRows(doc, direction) {
  /** @type {HTMLElement[]} */
  const rows = [];
  if (doc.related?.id) {
    const kind = doc.related.kind === "corrects" ? "corrects" : "replaces";
    rows.push(h("dt", {}, t(kind === "corrects" ? "relatedCorrects" : "relatedReplaces")),
      h("dd", { id: "doc-related" }, relatedLink(direction, doc.related.id, "doc-related-link")));
  }
  if (doc.replaced_by_id) {
    rows.push(h("dt", {}, t("replacedBy")),
      h("dd", { id: "doc-replaced-by" }, relatedLink(direction, doc.replaced_by_id, "doc-replaced-by-link")));
  }
  return rows;
}
