// @ts-check
import { api } from "../api.js";
import { add, alertBox, confidentialityBadge, h, loadingBox, pageHeading, urgencyBadge } from "../dom.js";
import { formatDate, formatDateTime } from "../dates.js";
import { t } from "../i18n.js";
import { documentTypeLabel } from "../labels.js";
import { currentMembership, hasRole, navigate, takeFlash } from "../state.js";
import { codeOf, dataTable, documentLink, errorPanel, pager } from "../widgets.js";

const PAGE_SIZE = 20;

export function renderIncoming(view, params, query) {
  const membership = currentMembership();
  const page = Math.max(1, Number.parseInt(query.get("page") || "1", 10) || 1);
  const flash = takeFlash();
  const canRegister = membership && hasRole("clerk", membership.unit_id);
  add(view,
    pageHeading(t("incomingTitle"),
      canRegister ? h("a", { href: "#/incoming/new", class: "btn btn-primary" }, "+ ", t("registerNew")) : null),
    membership ? h("p", { class: "muted page-sub" }, t("incomingOf", membership.unit_name || "")) : null,
    flash ? alertBox(flash.kind, flash.text) : null);
  const body = h("div", {}, loadingBox());
  view.append(body);

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      const result = await api.listIncoming({
        unit_id: membership?.unit_id, page, page_size: PAGE_SIZE,
      });
      draw(result);
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  function draw(result) {
    if (!result.items.length) {
      body.replaceChildren(h("p", { class: "empty" }, t("emptyIncoming")));
      return;
    }
    const columns = [
      { label: t("colArrivalNumber"), className: "col-num", render: (d) => h("strong", {}, String(d.arrival_number)) },
      { label: t("colArrivalDate"), className: "col-date", render: (d) => formatDateTime(d.arrival_date) },
      { label: t("colCode"), className: "col-code", render: (d) => codeOf(d) },
      { label: t("colIssuedDate"), className: "col-date", render: (d) => formatDate(d.issued_date) },
      { label: t("colIssuer"), render: (d) => d.issuer?.name || t("none") },
      {
        label: t("colSubject"), className: "col-subject", render: (d) => [
          documentLink(d.id, d.subject),
          h("span", { class: "cell-meta" }, documentTypeLabel(d.document_type, d.document_type_name)),
        ],
      },
      {
        label: t("colUrgency"), className: "col-badge", render: (d) => [
          urgencyBadge(d.urgency), " ", confidentialityBadge(d.confidentiality)],
      },
      { label: t("colDue"), className: "col-date", render: (d) => formatDate(d.due_date) },
    ];
    body.replaceChildren(
      dataTable(columns, result.items, {
        caption: t("incomingTitle"),
        rowClass: (d) => (flash?.highlight === d.id ? "row-new" : null),
      }),
      pager({
        page: result.page, pageSize: result.page_size, total: result.total,
        onPage: (p) => navigate(`#/incoming?page=${p}`),
      }));
  }

  load();
  return { title: t("incomingTitle") };
}
