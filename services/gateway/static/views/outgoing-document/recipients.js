// @ts-check
// Where an outgoing document goes: each recipient, how it is delivered and, once issued,
// the incoming document it became (a link for a member of that unit).

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { isMember } from "../../state.js";
import { dataTable } from "../../widgets.js";

/** @param {Record<string, any>} doc */
export function recipientsPanel(doc) {
  const issued = Boolean(doc.issued_at);
  /** @param {any} r */
  const delivered = (r) => {
    if (r.incoming_id) {
      const text = t("deliveredAs", r.arrival_number);
      return isMember(r.unit_id)
        ? h("a", { href: `#/documents/${encodeURIComponent(r.incoming_id)}`, class: "doc-link", title: t("openIncoming") }, text)
        : text;
    }
    return issued ? t("none") : h("span", { class: "muted" }, t("notDelivered"));
  };
  return h("section", { class: "panel", id: "doc-recipients", "aria-labelledby": "doc-recipients-title" },
    h("h2", { id: "doc-recipients-title" }, t("recipientsTitle")),
    doc.recipients?.length
      ? dataTable([
        { label: t("colRecipient"), render: (r) => h("strong", { class: "recipient-name" }, r.name || t("none")) },
        { label: t("colOrganId"), className: "col-code", render: (r) => r.organ_id || t("none") },
        { label: t("colDelivery"), render: (r) => h("span", { class: `delivery delivery-${r.delivery}` }, t(`delivery_${r.delivery}`)) },
        { label: t("colDelivered"), render: delivered },
      ], doc.recipients, { caption: t("recipientsTitle") })
      : h("p", { class: "muted" }, t("noRecipients")));
}
