// @ts-check
// Where an outgoing document goes: each recipient, how it is delivered and, once issued,
// the incoming document it became (a link for a member of that unit); for an internal
// recipient asked to give it back or take an update, the request and its văn thư's answer
// (agreed, or refused with the reason, highlighted); and the document's updates.

import { changesList } from "../../components/change-answer.js";
import { formatDateTime } from "../../dates.js";
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
        (doc.recipients || []).some((/** @type {any} */ r) => r.request || r.answer)
          ? { label: t("colChangeAnswer"), render: changeCell } : null,
      ].filter((c) => c !== null), doc.recipients, { caption: t("recipientsTitle") })
      : h("p", { class: "muted" }, t("noRecipients")),
    updatesList(doc));
}

/**
 * An internal recipient's answer to the latest recall or update (its văn thư's), or that
 * it is awaited.
 * @param {Record<string, any>} r
 */
function changeCell(r) {
  if (r.request) {
    return h("span", { class: "change-waiting muted", dataset: { kind: r.request.kind } }, t(`changeWaiting_${r.request.kind}`));
  }
  const a = r.answer;
  if (!a) return t("none");
  return h("span", { class: ["change-answer", a.agreed ? "is-agreed" : "is-refused"], dataset: { kind: a.kind, agreed: String(a.agreed) } },
    h("strong", {}, t(a.agreed ? `changeAgreed_${a.kind}` : `changeRefused_${a.kind}`)),
    h("span", { class: "muted" }, ` · ${formatDateTime(a.at)}`),
    a.reason ? h("span", { class: "change-reason" }, t("changeReason", a.reason)) : null);
}

/**
 * The updates of the issued document (cập nhật), oldest first: what changed, why, and each
 * internal recipient's answer (the agencies' are under Gửi liên thông).
 * @param {Record<string, any>} doc
 */
function updatesList(doc) {
  if (!doc.updates?.length) return null;
  const names = Object.fromEntries((doc.recipients || []).map((/** @type {any} */ r) => [r.unit_id, r.name]));
  return h("div", { class: "doc-updates", id: "doc-updates" },
    h("h3", {}, t("updatesTitle")),
    h("ol", { class: "update-list" }, doc.updates.map((/** @type {Record<string, any>} */ u) => h("li", { dataset: { number: String(u.number) } },
      h("p", {}, h("strong", {}, t("updateNumber", u.number)), h("span", { class: "muted" }, ` · ${formatDateTime(u.at)}`),
        u.reason ? t("changeReason", u.reason) : null),
      changesList(u.changes),
      Object.keys(u.answers || {}).length ? h("ul", { class: "update-answers" }, Object.entries(u.answers).map(([unit, a]) => h("li", {
        class: ["change-answer", a.agreed ? "is-agreed" : "is-refused"], dataset: { unitId: unit, agreed: String(a.agreed) },
      }, h("strong", {}, `${names[unit] || unit}: `), t(a.agreed ? "changeAgreed_update" : "changeRefused_update"),
      a.reason ? h("span", { class: "change-reason" }, t("changeReason", a.reason)) : null))) : null))));
}
