import { api } from "../api.js";
import { h, loadingBox, pageHeading, urgencyBadge } from "../dom.js";
import { URGENCY_RANK, formatDate, formatDateTime, t, todayIso } from "../i18n.js";
import { navigate } from "../state.js";
import { dataTable, documentLink, errorPanel, pager } from "../widgets.js";

const VIEWS = [["todo", "viewTodo"], ["overdue", "viewOverdue"], ["following", "viewFollowing"]];
const PAGE_SIZE = 20;

export function renderInbox(view, params, query) {
  const current = VIEWS.some(([v]) => v === query.get("view")) ? query.get("view") : "todo";
  const page = Math.max(1, Number.parseInt(query.get("page") || "1", 10) || 1);
  const counts = {};
  const tabs = h("nav", { class: "tabs", "aria-label": t("inboxViews") });
  const drawTabs = () => tabs.replaceChildren(...VIEWS.map(([v, key]) =>
    h("a", {
      href: `#/inbox?view=${v}`, class: ["tab", v === current && "is-active", v === "overdue" && counts.overdue && "tab-alert"],
      "aria-current": v === current ? "page" : null,
    }, t(key), counts[v] != null ? h("span", { class: "count" }, String(counts[v])) : null)));
  drawTabs();
  const body = h("div", {}, loadingBox());
  view.append(pageHeading(t("inboxTitle")), tabs, body);

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      const result = await api.inbox({ view: current, page, page_size: PAGE_SIZE });
      Object.assign(counts, result.counts || {});
      if (current === "following") counts.following = result.total;
      drawTabs();
      draw(result);
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  function draw(result) {
    if (!result.items.length) {
      body.replaceChildren(h("p", { class: "empty" }, t("emptyInbox")));
      return;
    }
    // The server sorts most urgent first; keep that order even if it did not.
    const items = [...result.items].sort((a, b) =>
      (URGENCY_RANK[b.urgency] || 0) - (URGENCY_RANK[a.urgency] || 0));
    const today = todayIso();
    const columns = [
      { label: t("colUrgency"), className: "col-badge", render: (w) => urgencyBadge(w.urgency) },
      {
        label: t("colSubject"), className: "col-subject", render: (w) => [
          documentLink(w.document_id, w.subject),
          h("span", { class: "cell-meta" }, t(`kind_${w.kind}`) === `kind_${w.kind}` ? w.kind : t(`kind_${w.kind}`)),
        ],
      },
      { label: t("colCode"), className: "col-code", render: (w) => w.code || t("none") },
      { label: t("colIssuer"), render: (w) => w.issuer_name || t("none") },
      { label: t("colArrivalNumber"), className: "col-num", render: (w) => (w.arrival_number != null ? String(w.arrival_number) : t("none")) },
      {
        label: t("colDue"), className: "col-date", render: (w) => {
          const late = w.due_date && w.due_date < today && current !== "following";
          return late ? h("span", { class: "overdue" }, formatDate(w.due_date), " · ", t("overdueMark")) : formatDate(w.due_date);
        },
      },
      { label: t("colReceived"), className: "col-date", render: (w) => formatDateTime(w.created_at) },
    ];
    body.replaceChildren(
      dataTable(columns, items, {
        caption: t("inboxTitle"),
        rowClass: (w) => (w.urgency && w.urgency !== "normal" ? `row-urgent row-${w.urgency}` : null),
      }),
      pager({
        page: result.page || page, pageSize: result.page_size || PAGE_SIZE, total: result.total, noun: "items",
        onPage: (p) => navigate(`#/inbox?view=${current}&page=${p}`),
      }));
  }

  load();
  return { title: t("inboxTitle") };
}
