// @ts-check
// The caller's work: tabs Việc cần xử lý (todo) / Theo dõi (following: parts they gave
// out, and what they were told of) / Quá hạn (overdue) with their counts, filtered by
// kind of work and urgency, and — for someone holding a delegation (ủy quyền) to assign
// or approve — Được ủy quyền (delegated): what waits for the leaders they act for. An
// approval is an outgoing draft; every other kind is an incoming document. A deadline
// counted in hours shows its time (Vietnam time).

import { api } from "../api.js";
import { formatDateTime } from "../dates.js";
import { resolveNames } from "../directory.js";
import { confidentialityBadge, h, loadingBox, pageHeading, urgencyBadge } from "../dom.js";
import { t } from "../i18n.js";
import { codes, itemStateLabel, kindLabel, processingStateLabel, urgencyLabel, urgencyRank } from "../labels.js";
import { navigate, rememberWorkSummaries } from "../state.js";
import { dataTable, documentLink, errorPanel, outgoingLink, pager } from "../widgets.js";
import { heldDelegations } from "./processing/delegations.js";
import { deadlineText, holderName, isLate } from "./processing/parts.js";

const VIEWS = [["todo", "viewTodo"], ["following", "viewFollowing"], ["overdue", "viewOverdue"],
  ["delegated", "viewDelegated"]];
const DELEGATED_ACTIONS = ["assign", "approve"];
const PAGE_SIZE = 20;
// The filter that was just changed: focus returns to it when the list is drawn again.
let refocus = null;

/** What the inbox shows, from the address. @typedef {{current: string, kind: string, urgency: string, page: number, hashFor: (changes: Record<string, string>) => string}} InboxChoice */

/** @param {URLSearchParams} query @returns {InboxChoice} */
function choiceOf(query) {
  const current = VIEWS.some(([v]) => v === query.get("view")) ? query.get("view") : "todo";
  const kind = codes("work_kinds").includes(query.get("kind")) ? query.get("kind") : "";
  const urgency = codes("urgencies").includes(query.get("urgency")) ? query.get("urgency") : "";
  const hashFor = (/** @type {Record<string, string>} */ changes) => {
    const next = new URLSearchParams({ view: current, kind, urgency, ...changes });
    for (const [key, value] of [...next.entries()]) if (!value || (key === "page" && value === "1")) next.delete(key);
    return `#/inbox?${next.toString()}`;
  };
  return { current, kind, urgency, page: Math.max(1, Number.parseInt(query.get("page") || "1", 10) || 1), hashFor };
}

/** The tabs with their counts; "Được ủy quyền" for whoever holds a delegation to assign or approve. @param {InboxChoice} choice */
function inboxTabs({ current, hashFor }) {
  /** @type {Record<string, number>} */
  const counts = {};
  let delegatedTab = current === "delegated";
  const element = h("nav", { class: "tabs", "aria-label": t("inboxViews") });
  // Each link is made once, and `draw()` then changes only its count: a link replaced
  // while it is being clicked (the counts come in) would swallow the click. The
  // delegated tab joins in its place once it turns out to be needed.
  /** @type {Map<string, {link: HTMLElement, slot: HTMLElement}>} */
  const tabs = new Map();
  const draw = () => {
    /** @type {HTMLElement | null} */
    let previous = null;
    for (const [v, key] of VIEWS) {
      if (v === "delegated" && !delegatedTab) continue;
      let tab = tabs.get(v);
      if (!tab) {
        const slot = h("span", { class: "tab-counts" });
        const link = h("a", {
          href: hashFor({ view: v, page: "1" }), id: `tab-${v}`, class: ["tab", v === current && "is-active"],
          "aria-current": v === current ? "page" : null,
        }, t(key), slot);
        tab = { link, slot };
        tabs.set(v, tab);
        if (previous) previous.after(link);
        else element.prepend(link);
      }
      tab.link.classList.toggle("tab-alert", v === "overdue" && Boolean(counts.overdue));
      tab.slot.replaceChildren(counts[v] != null ? h("span", { class: "count" }, String(counts[v])) : "");
      previous = tab.link;
    }
  };
  draw();
  if (!delegatedTab) {
    heldDelegations().then((held) => {
      if (held.some((d) => (d.actions || []).some((a) => DELEGATED_ACTIONS.includes(a))) && element.isConnected) {
        delegatedTab = true;
        draw();
      }
    });
  }
  return { element, counts, draw };
}

/** The filters: kind of work and urgency. @param {InboxChoice} choice */
function inboxFilters({ kind, urgency, hashFor }) {
  const kindSelect = h("select", { id: "inbox-kind", name: "kind" },
    h("option", { value: "" }, t("allKinds")),
    codes("work_kinds").map((k) => h("option", { value: k, selected: k === kind }, kindLabel(k))));
  const urgencySelect = h("select", { id: "inbox-urgency", name: "urgency" },
    h("option", { value: "" }, t("allUrgencies")),
    codes("urgencies").map((u) => h("option", { value: u, selected: u === urgency }, urgencyLabel(u))));
  kindSelect.addEventListener("change", () => {
    refocus = "inbox-kind";
    navigate(hashFor({ kind: kindSelect.value, page: "1" }));
  });
  urgencySelect.addEventListener("change", () => {
    refocus = "inbox-urgency";
    navigate(hashFor({ urgency: urgencySelect.value, page: "1" }));
  });
  const element = h("div", { class: "filter-bar inbox-filters", role: "group", "aria-label": t("filters") },
    h("div", { class: "field" }, h("label", { for: "inbox-kind" }, t("filterKind")), kindSelect),
    h("div", { class: "field" }, h("label", { for: "inbox-urgency" }, t("urgency")), urgencySelect));
  return { element, kindSelect, urgencySelect };
}

/** @param {string} current */
function columns(current) {
  return [
    {
      label: t("colKind"), className: "col-badge", render: (w) => [
        h("span", { class: `badge kind kind-${w.kind}` }, kindLabel(w.kind)),
        current === "following"
          ? h("span", { class: "cell-meta" }, `${itemStateLabel(w.kind, w.state)} · ${holderName(w)}`) : null,
        w.delegation
          ? h("span", { class: "cell-meta delegated-for", dataset: { delegation: w.delegation.id } },
            t("delegatedFor", w.delegation.from_name || t("unknownPerson"), w.delegation.kind)) : null],
    },
    {
      // a secret document's level; its particulars come redacted for the uncleared
      label: t("colUrgency"), className: "col-badge",
      render: (w) => [urgencyBadge(w.urgency), confidentialityBadge(w.confidentiality)],
    },
    {
      label: t("colSubject"), className: "col-subject", render: (w) => [
        w.kind === "approve" ? outgoingLink(w.document_id, w.subject) : documentLink(w.document_id, w.subject),
        h("span", { class: "cell-meta" }, w.kind === "approve" ? t("outgoingDraft") : t("incomingDocument"))],
    },
    { label: t("colCode"), className: "col-code", render: (w) => w.code || t("none") },
    { label: t("colIssuer"), render: (w) => w.issuer_name || t("none") },
    { label: t("colArrivalNumber"), className: "col-num", render: (w) => (w.arrival_number != null ? String(w.arrival_number) : t("none")) },
    { label: t("colDue"), className: "col-date", render: (w) => deadlineText(w) },
    {
      label: t("colProcessingState"), render: (w) => (w.processing_state
        ? h("span", { class: `badge proc-state proc-${w.processing_state}` }, processingStateLabel(w.processing_state))
        : t("none")),
    },
    { label: t("colReceived"), className: "col-date", render: (w) => formatDateTime(w.created_at) },
  ];
}

/** The list (most urgent first, as the server sorts it) and its pager. @param {any} result @param {InboxChoice} choice */
function workTable(result, { current, kind, urgency, page, hashFor }) {
  if (!result.items.length) {
    return [h("p", { class: "empty" }, kind || urgency ? t("emptyInboxFiltered")
      : (current === "delegated" ? t("emptyDelegated") : t("emptyInbox")))];
  }
  const items = [...result.items].sort((a, b) => urgencyRank(b.urgency) - urgencyRank(a.urgency));
  return [
    dataTable(columns(current), items, {
      caption: t("inboxTitle"),
      rowClass: (w) => [w.urgency && w.urgency !== "normal" ? `row-urgent row-${w.urgency}` : null,
        isLate(w) ? "row-late" : null, `row-kind-${w.kind}`].filter(Boolean).join(" "),
    }),
    pager({
      page: result.page || page, pageSize: result.page_size || PAGE_SIZE, total: result.total, noun: "items",
      onPage: (p) => navigate(hashFor({ page: String(p) })),
    }),
  ];
}

/** #/inbox. @param {HTMLElement} view @param {Record<string, string>} params @param {URLSearchParams} query */
export function renderInbox(view, params, query) {
  const choice = choiceOf(query);
  const { current, kind, urgency, page } = choice;
  const tabs = inboxTabs(choice);
  const filters = inboxFilters(choice);
  const body = h("div", {}, loadingBox());
  view.append(pageHeading(t("inboxTitle")), tabs.element, filters.element, body);

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      const result = await api.inbox({ view: current, kind, urgency, page, page_size: PAGE_SIZE });
      Object.assign(tabs.counts, result.counts || {});
      if (current === "following" && tabs.counts.following == null) tabs.counts.following = result.total;
      if (current === "delegated") tabs.counts.delegated = result.total;
      tabs.draw();
      rememberWorkSummaries(result.items || []);
      if (current === "following") {
        // Whom each part was given to.
        await resolveNames({
          unitIds: result.items.map((w) => w.unit_id), userIds: result.items.map((w) => w.user_id).filter(Boolean),
        });
      }
      body.replaceChildren(...workTable(result, choice));
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  load();
  const focus = { "inbox-kind": filters.kindSelect, "inbox-urgency": filters.urgencySelect }[refocus] || null;
  refocus = null;
  return { title: t("inboxTitle"), focus };
}
