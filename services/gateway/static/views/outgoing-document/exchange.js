// @ts-check
// Gửi liên thông: for an issued document with recipients outside the system, where each
// one's edoc is (being sent, sent to the axis, refused by it with the reason) and every
// status its agency answered, in order, with its time — 01 arrived, 02 returned with the
// reason, 03 accepted, 04 assigned, 05 in progress, 06 done, 13/15/16 about a recall.
// A văn thư of the issuing unit sends a refused one again. Once the document is
// recalled, the request's reason and each agency's answer (15 agreed and locked, 16
// refused with the reason). Read when the document is opened, again on "Làm mới", and
// every little while as long as the panel is shown.

import { ApiError, api } from "../../api.js";
import { formatDateTime } from "../../dates.js";
import { h, loadingBox } from "../../dom.js";
import { lang, t } from "../../i18n.js";
import { rolesIn } from "../../state.js";
import { errorPanel } from "../../widgets.js";
import { changesList } from "../../components/change-answer.js";

/**
 * One recipient's delivery (the exchange's delivery_out).
 * @typedef {{id: string, organ_id: string, organ_name: string | null, document_id: string,
 *   state: string, error: {code: string, vi: string, en: string} | null, statuses: DeliveryStatus[],
 *   latest_code: string | null, frozen: boolean,
 *   recall: {reason: string, asked_at: string, answer?: {code: string, description: string | null}} | null,
 *   updates?: {number: number, changes: Record<string, any>, reason: string, asked_at: string, state: string,
 *     answer: {code: string, description: string | null} | null}[],
 *   sent_at: string | null}} Delivery
 */
/** @typedef {{code: string, vi: string, en: string, description: string | null, at: string | null, received_at: string}} DeliveryStatus */

const REFRESH_MS = 15_000;
const DELIVERY_STATES = ["pending", "sent", "failed"];
// the codes whose description is the agency's own words (a reason), shown in full
const WITH_REASON = ["02", "13", "15", "16"];

/** A {vi, en} text in the interface's language. @param {{vi?: string, en?: string} | null | undefined} text */
const local = (text) => (text ? text[lang()] || text.vi || text.en || "" : "");

/** Whether the document went, or is to go, through the axis to someone. @param {Record<string, any>} doc */
export function sendsByExchange(doc) {
  return Boolean(doc.issued_at) && (doc.recipients || []).some((r) => r.delivery === "exchange");
}

/** One status of the history. @param {DeliveryStatus} s */
function statusItem(s) {
  const reason = WITH_REASON.includes(s.code) && s.description;
  return h("li", { class: ["exchange-status", `exchange-status-${s.code}`], dataset: { code: s.code }, title: reason ? null : s.description || null },
    h("span", { class: "exchange-code" }, s.code),
    h("span", { class: "exchange-status-body" },
      h("strong", { class: "exchange-status-name" }, local(s) || s.code),
      h("span", { class: "exchange-status-time muted" }, ` · ${formatDateTime(s.at || s.received_at)}`),
      reason ? h("span", { class: "exchange-reason" }, t("exchangeReason", s.description)) : null));
}

/**
 * The recall of the document from this agency, once asked (13 sent): its reason, then
 * the agency's answer — 15 agreed, the record locked; 16 refused, with its reason.
 * @param {Delivery} d
 */
function recallNote(d) {
  if (!d.recall) return d.frozen ? h("p", { class: "hint" }, t("exchangeFrozen")) : null;
  const asked = d.recall.asked_at || "";
  // the recall's own answer (a 16 may answer an update too); older records: the last 16
  const refused = d.recall.answer ? (d.recall.answer.code === "16" ? d.recall.answer : null)
    : (d.updates?.length ? null : (d.statuses || []).filter((s) => s.code === "16").pop());
  const answer = d.frozen ? "15" : refused ? "16" : "";
  return h("div", { class: ["exchange-recall", answer && `exchange-recall-${answer}`], dataset: { answer } },
    h("p", { class: "exchange-recall-asked" },
      h("strong", {}, t("exchangeRecallAsked")),
      asked ? h("span", { class: "muted" }, ` · ${formatDateTime(asked)}`) : null,
      t("exchangeReason", d.recall.reason || t("none"))),
    h("p", { class: "exchange-recall-answer" }, d.frozen
      ? h("strong", {}, t("exchangeRecallAgreed"))
      : refused
        ? [h("strong", {}, t("exchangeRecallRefused")), t("exchangeReason", refused.description || t("none"))]
        : h("span", { class: "muted" }, t("exchangeRecallWaiting"))));
}

/**
 * The updates of the document sent to this agency (edoc of type 2), each with its answer:
 * 15 agreed, 16 refused with the reason (highlighted), or awaited.
 * @param {Delivery} d
 */
function updatesNote(d) {
  if (!d.updates?.length) return null;
  return h("ol", { class: "exchange-updates", "aria-label": t("updatesTitle") }, d.updates.map((u) => {
    const code = u.answer?.code || "";
    return h("li", { class: ["exchange-update", code && `exchange-update-${code}`], dataset: { number: String(u.number), answer: code } },
      h("p", {}, h("strong", {}, t("updateNumber", u.number)),
        u.asked_at ? h("span", { class: "muted" }, ` · ${formatDateTime(u.asked_at)}`) : null,
        u.reason ? t("exchangeReason", u.reason) : null,
        u.state === "failed" ? h("span", { class: "is-problem" }, ` · ${t("exchangeState_failed")}`) : null),
      changesList(u.changes),
      h("p", { class: "exchange-update-answer" }, code === "15" ? h("strong", {}, t("exchangeUpdateAgreed"))
        : code === "16" ? [h("strong", {}, t("exchangeUpdateRefused")), t("exchangeReason", u.answer?.description || t("none"))]
          : h("span", { class: "muted" }, t("exchangeUpdateWaiting"))));
  }));
}

/**
 * @param {Delivery} d
 * @param {boolean} mayRetry a văn thư of the issuing unit
 * @param {(d: Delivery, button: HTMLButtonElement, status: HTMLElement) => void} retry
 */
function deliveryItem(d, mayRetry, retry) {
  const state = DELIVERY_STATES.includes(d.state) ? d.state : "pending";
  const status = h("span", { class: "file-status", role: "status" });
  const button = mayRetry && state === "failed" ? h("button", {
    type: "button", class: "btn btn-secondary btn-small exchange-retry", id: `exchange-retry-${d.id}`,
    onclick: () => retry(d, button, status),
  }, t("exchangeRetry")) : null;
  const statuses = d.statuses || [];
  return h("li", { class: ["exchange-delivery", `exchange-${state}`], dataset: { organId: d.organ_id, state, latest: d.latest_code || "" } },
    h("div", { class: "exchange-head" },
      h("span", { class: "exchange-recipient" },
        h("strong", {}, d.organ_name || d.organ_id),
        h("span", { class: "muted" }, ` (${d.organ_id})`)),
      h("span", { class: `badge state exchange-state exchange-state-${state}` }, t(`exchangeState_${state}`)),
      d.sent_at ? h("span", { class: "muted exchange-sent-at" }, t("exchangeSentAt", formatDateTime(d.sent_at))) : null),
    d.error && state !== "sent" ? h("p", { class: ["exchange-error", state === "failed" && "is-problem"] },
      state === "failed" ? t("exchangeFailed", local(d.error)) : t("exchangeWillRetry", local(d.error)),
      button ? [" ", button] : null, status) : null,
    recallNote(d),
    updatesNote(d),
    statuses.length
      ? h("ol", { class: "exchange-statuses", "aria-label": t("exchangeHistory", d.organ_name || d.organ_id) }, statuses.map(statusItem))
      : h("p", { class: "muted exchange-none" }, state === "sent" ? t("exchangeNoStatus") : t("exchangeNotYet")));
}

/**
 * The panel, or null when the document goes to no one through the axis.
 * @param {Record<string, any>} doc
 */
export function exchangePanel(doc) {
  if (!sendsByExchange(doc)) return null;
  const mayRetry = rolesIn(doc.unit_id).includes("clerk");
  const list = h("div", { class: "exchange-body", "aria-live": "polite" }, loadingBox());
  const refresh = h("button", { type: "button", class: "btn btn-secondary btn-small", id: "exchange-refresh" }, "↻ ", t("refresh"));
  const panel = h("section", { class: "panel exchange-panel", id: "doc-exchange", "aria-labelledby": "doc-exchange-title" },
    h("div", { class: "panel-head" }, h("h2", { id: "doc-exchange-title" }, t("exchangeTitle")), refresh),
    list);
  let timer = 0;
  let shown = "";

  /** @param {Delivery} d @param {HTMLButtonElement} button @param {HTMLElement} status */
  async function retry(d, button, status) {
    button.disabled = true;
    status.textContent = t("working");
    try {
      await api.retryDelivery(d.id);
      status.textContent = t("exchangeRetried");
      load();
    } catch (error) {
      button.disabled = false;
      status.textContent = error.message;
      if (error instanceof ApiError && error.status === 409) load();
    }
  }

  async function load() {
    window.clearTimeout(timer);
    refresh.disabled = true;
    try {
      const result = await api.listDeliveries(doc.id);
      /** @type {Delivery[]} */
      const items = result?.items || [];
      const fresh = JSON.stringify(items);
      if (fresh !== shown) {        // redrawn only when something changed: focus stays put
        shown = fresh;
        list.replaceChildren(items.length
          ? h("ul", { class: "exchange-deliveries" }, items.map((d) => deliveryItem(d, mayRetry, retry)))
          : h("p", { class: "muted" }, t("exchangeQueued")));
      }
    } catch (error) {
      if (!shown) list.replaceChildren(errorPanel(error, load));
    } finally {
      refresh.disabled = false;
      // again in a while, unless the document was left (or drawn again) meanwhile
      timer = window.setTimeout(() => { if (panel.isConnected) load(); }, REFRESH_MS);
    }
  }

  refresh.addEventListener("click", load);
  load();
  return panel;
}
