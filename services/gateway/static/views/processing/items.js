// @ts-check
// The parts of a document's processing as a table: kind (parts passed on under the
// part they come from), holder, deadline, progress, state and result.

import { api } from "../../api.js";
import { knowsPerson, personName } from "../../directory.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { itemStateLabel, kindLabel } from "../../labels.js";
import { codeOf, dataTable } from "../../widgets.js";
import { deadlineText, holderName, holdsItem, ordered, progressCell } from "./parts.js";

/** @typedef {import("./parts.js").Item} Item */
/** @typedef {import("./panel.js").ProcessingContext} ProcessingContext */

/** A link to the reply (an outgoing document), named once it is read. @param {string} documentId */
export function replyLink(documentId) {
  const link = h("a", { href: `#/outgoing/${encodeURIComponent(documentId)}`, class: "doc-link" }, t("openReply"));
  api.getOutgoing(documentId).then((out) => {
    link.textContent = `${out.code_number ? codeOf(out) : t("notNumbered")} — ${out.subject}`;
  }).catch(() => {});
  return link;
}

/** What came of a part: why it was returned, its result, its reply, its own direction. @param {Item} item @param {ProcessingContext} ctx */
function resultOf(item, ctx) {
  const parts = [];
  if (item.return_reason) parts.push(h("p", { class: "part-note" }, h("strong", {}, `${t("returnReason")}: `), item.return_reason));
  if (item.result_note) parts.push(h("p", { class: "part-note" }, item.result_note));
  if (item.reply_document_id) parts.push(h("p", { class: "part-note" }, replyLink(item.reply_document_id)));
  if (item.instruction && item.parent_id && item.instruction !== ctx.processing?.instruction) {
    parts.push(h("p", { class: "part-note muted" }, `${t("instruction")}: ${item.instruction}`));
  }
  return parts.length ? parts : t("none");
}

/** @param {ProcessingContext} ctx @param {Item[]} items */
export function itemsTable(ctx, items) {
  if (!items.length) return null;
  return h("div", { class: "processing-items", id: "processing-items" },
    h("h3", { class: "subhead" }, t("partsTitle")),
    dataTable([
      {
        label: t("colRole"), render: ({ item, depth }) => h("span", { class: depth ? "part-child" : null },
          depth ? h("span", { "aria-hidden": "true" }, "↳ ") : null, h("strong", {}, kindLabel(item.kind)),
          depth ? h("span", { class: "cell-meta" }, t("passedOn")) : null),
      },
      {
        label: t("colHandler"), render: ({ item }) => [holderName(item),
          item.assigned_by && knowsPerson(item.assigned_by)
            ? h("span", { class: "cell-meta" }, t("assignedBy", personName(item.assigned_by))) : null],
      },
      { label: t("colDue"), className: "col-date", render: ({ item }) => deadlineText(item) },
      { label: t("colProgress"), render: ({ item }) => progressCell(item) },
      {
        label: t("colState"), render: ({ item }) => h("span", {
          class: `badge item-state item-${item.state}`,
        }, itemStateLabel(item.kind, item.state)),
      },
      { label: t("colResult"), className: "col-details", render: ({ item }) => resultOf(item, ctx) },
    ], ordered(items), {
      caption: t("partsTitle"),
      rowClass: ({ item }) => [`part part-${item.kind} part-${item.state}`, holdsItem(item) && item.state === "open" ? "part-mine" : null]
        .filter(Boolean).join(" "),
    }));
}
