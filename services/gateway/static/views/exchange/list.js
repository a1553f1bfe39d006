// @ts-check
// Văn bản điện tử chờ tiếp nhận: the documents other agencies sent through the axis to
// the units where the user is văn thư or lãnh đạo, newest first, by state (waiting by
// default, accepted, returned, all): who sent it, its số and ký hiệu, its date, its
// subject, the check of the package's signature and when it came. Above, whether the
// system is connected to the axis.

import { api } from "../../api.js";
import { formatDate, formatDateTime } from "../../dates.js";
import { add, alertBox, fill, h, loadingBox, pageHeading, urgencyBadge } from "../../dom.js";
import { t } from "../../i18n.js";
import { documentTypeLabel } from "../../labels.js";
import { navigate, takeFlash } from "../../state.js";
import { dataTable, errorPanel, pager } from "../../widgets.js";
import {
  TABS, listHash, packageSignatureBadge, readerMemberships, recallWaiting, receivedCode, receivedIssuedDate, receivedStateBadge,
  unitNameOf,
} from "./common.js";

/** @typedef {import("./common.js").Received} Received */

const PAGE_SIZE = 20;

/** The state tabs; the waiting one with its count once read. @param {string} current */
function stateTabs(current) {
  const waitingCount = h("span", { class: "count", id: "tab-waiting-count", hidden: true });
  const element = h("nav", { class: "tabs", "aria-label": t("receivedTabs") }, TABS.map((state) => h("a", {
    href: listHash(state), id: `tab-${state}`, class: ["tab", state === current && "is-active"],
    "aria-current": state === current ? "page" : null,
  }, t(`receivedTab_${state}`), state === "waiting" ? waitingCount : null)));
  /** @param {number} n */
  const setWaiting = (n) => {
    waitingCount.textContent = n ? String(n) : "";
    waitingCount.hidden = !n;
  };
  return { element, setWaiting };
}

/**
 * One request to answer, from either source: another agency's (a received document) or
 * a unit's of this system (an incoming document it delivered).
 * @typedef {{source: "exchange" | "internal", kind: string, href: string, from: string, code: string,
 *   subject: string, reason: string, at: string | null, unitId: string}} PendingRequest
 */

/**
 * The recalls and updates waiting for the văn thư's answer, both sources in one table,
 * newest first; each opens the screen where it is answered (the same answer form).
 * @param {Received[]} received @param {Record<string, any>[]} incoming
 */
function requestsTable(received, incoming) {
  /** @type {PendingRequest[]} */
  const rows = [
    ...received.map((r) => ({
      source: /** @type {"exchange"} */ ("exchange"), kind: r.request || "recall",
      href: `#/exchange/received/${encodeURIComponent(r.id)}`, from: r.from?.name || r.from?.organ_id || "",
      code: receivedCode(r.fields || {}), subject: r.fields?.changes?.subject || r.fields?.subject || "",
      reason: (r.request === "update" ? r.fields?.business_reason : r.recall_request?.reason) || "",
      at: r.request === "update" ? r.received_at : r.recall_request?.asked_at || r.updated_at || null, unitId: r.unit_id,
    })),
    ...incoming.filter((d) => d.change_request).map((d) => ({
      source: /** @type {"internal"} */ ("internal"), kind: d.change_request.kind,
      href: `#/documents/${encodeURIComponent(d.id)}`, from: d.issuer?.name || "",
      code: [d.code_number, d.code_notation].filter(Boolean).join("/"), subject: d.subject || "",
      reason: d.change_request.reason || "", at: d.change_request.asked_at || null, unitId: d.unit_id,
    })),
  ].sort((a, b) => String(b.at || "").localeCompare(String(a.at || "")));
  if (!rows.length) return h("p", { class: "empty", id: "requests-empty" }, t("receivedEmpty_requests"));
  /** @type {import("../../components/table.js").Column[]} */
  const columns = [
    { label: t("colRequestKind"), className: "col-badge", render: (/** @type {PendingRequest} */ r) => h("span", { class: `badge state change-${r.kind}` }, t(`changeKind_${r.kind}`)) },
    {
      label: t("colSender"), className: "col-sender", render: (/** @type {PendingRequest} */ r) => [
        h("strong", {}, r.from || t("none")),
        h("span", { class: "cell-meta" }, t(`requestSource_${r.source}`)),
      ],
    },
    { label: t("colCode"), className: "col-code", render: (/** @type {PendingRequest} */ r) => r.code || t("none") },
    {
      label: t("colSubject"), className: "col-subject", render: (/** @type {PendingRequest} */ r) => [
        h("a", { href: r.href, class: "doc-link" }, r.subject || t("receivedNoSubject")),
        r.reason ? h("span", { class: "cell-meta" }, t("changeReason", r.reason)) : null,
      ],
    },
    { label: t("colAskedAt"), className: "col-date", render: (/** @type {PendingRequest} */ r) => formatDateTime(r.at) },
  ];
  return dataTable(columns, rows, { caption: t("receivedTab_requests"), tableClass: "requests-table", rowClass: () => "row-recall" });
}

/**
 * The requests tab: both sources read at once, drawn in one table.
 * @param {HTMLElement} body @param {(n: number) => void} setWaiting @param {() => void} again
 */
async function loadRequests(body, setWaiting, again) {
  try {
    const [received, incoming, waiting] = await Promise.all([
      api.listReceived({ state: "requests", page_size: 200 }),
      api.listIncoming({ change_requested: true, page_size: 200 }),
      api.listReceived({ state: "waiting", page_size: 1 }).catch(() => null),
    ]);
    setWaiting(waiting?.total || 0);
    body.replaceChildren(requestsTable(received.items, incoming.items));
  } catch (error) {
    body.replaceChildren(errorPanel(error, again));
  }
}

/** Whether the system is connected to the axis, in one line. */
function axisLine() {
  const line = h("p", { class: "muted page-sub axis-line", id: "axis-status" });
  api.exchangeStatus().then((status) => {
    fill(line, h("span", { class: ["axis-dot", status?.connected ? "is-up" : "is-down"], "aria-hidden": "true" }),
      status?.connected ? t("axisConnected") : t("axisDisconnected"),
      status?.failed ? ` · ${t("axisFailed", status.failed)}` : null);
  }).catch(() => line.remove());
  return line;
}

/** #/exchange/received?state=&page=. @param {HTMLElement} view @param {Record<string, string>} params @param {URLSearchParams} query */
export function renderReceivedList(view, params, query) {
  const requested = query.get("state") || "waiting";
  const state = TABS.includes(requested) ? requested : "waiting";
  const page = Math.max(1, Number.parseInt(query.get("page") || "1", 10) || 1);
  const flash = takeFlash();
  const manyUnits = new Set(readerMemberships().map((m) => m.unit_id)).size > 1;
  const tabs = stateTabs(state);
  add(view,
    pageHeading(t("receivedTitle")),
    h("p", { class: "muted page-sub" }, t("receivedIntro")),
    axisLine(),
    flash ? alertBox(flash.kind, flash.text) : null,
    tabs.element);
  const body = h("div", {}, loadingBox());
  view.append(body);

  async function load() {
    body.replaceChildren(loadingBox());
    if (state === "requests") {
      loadRequests(body, tabs.setWaiting, load);
      return;
    }
    try {
      const [result, waiting] = await Promise.all([
        api.listReceived({ state, page, page_size: PAGE_SIZE }),
        state === "waiting" ? null : api.listReceived({ state: "waiting", page_size: 1 }).catch(() => null),
      ]);
      tabs.setWaiting((state === "waiting" ? result : waiting)?.total || 0);
      draw(result);
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  /** @param {{items: Received[], total: number, page: number, page_size: number}} result */
  function draw(result) {
    if (!result.items.length) {
      body.replaceChildren(h("p", { class: "empty" }, t(`receivedEmpty_${state}`)));
      return;
    }
    /** @type {import("../../components/table.js").Column[]} */
    const columns = [
      {
        label: t("colSender"), className: "col-sender", render: (/** @type {Received} */ r) => [
          h("strong", {}, r.from?.name || r.from?.organ_id || t("none")),
          h("span", { class: "cell-meta" }, r.from?.organ_id || ""),
        ],
      },
      { label: t("colCode"), className: "col-code", render: (/** @type {Received} */ r) => receivedCode(r.fields || {}) },
      { label: t("colIssuedDate"), className: "col-date", render: (/** @type {Received} */ r) => formatDate(receivedIssuedDate(r.fields || {})) },
      {
        label: t("colSubject"), className: "col-subject", render: (/** @type {Received} */ r) => [
          h("a", { href: `#/exchange/received/${encodeURIComponent(r.id)}`, class: "doc-link" }, r.fields?.subject || t(r.state === "recalled" ? "receivedRecalledSubject" : "receivedNoSubject")),
          h("span", { class: "cell-meta" }, documentTypeLabel(r.fields?.document_type), " ",
            urgencyBadge(r.fields?.urgency, { showNormal: false })),
        ],
      },
      { label: t("colPackageSignature"), className: "col-badge", render: (/** @type {Received} */ r) => packageSignatureBadge(r.package_signature) },
      { label: t("colReceivedAt"), className: "col-date", render: (/** @type {Received} */ r) => formatDateTime(r.received_at) },
      manyUnits ? { label: t("colAddressedUnit"), render: (/** @type {Received} */ r) => unitNameOf(r.unit_id) } : null,
      state !== "waiting" ? { label: t("state"), className: "col-badge", render: (/** @type {Received} */ r) => receivedStateBadge(r.state) } : null,
    ].filter((c) => c !== null);
    body.replaceChildren(
      dataTable(columns, result.items, {
        caption: t("receivedTitle"), tableClass: "received-table",
        rowClass: (/** @type {Received} */ r) => (recallWaiting(r) ? "row-recall" : null),
      }),
      pager({
        page: result.page, pageSize: result.page_size, total: result.total,
        onPage: (p) => navigate(listHash(state, p)),
      }));
  }

  load();
  return { title: t("receivedTitle") };
}
