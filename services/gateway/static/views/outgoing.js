// @ts-check
// Văn bản đi: the outgoing documents of the unit the user works in, most recently
// changed first, filtered by state; drafting for its members, and printing the
// unit's Sổ đăng ký văn bản đi of the year for its clerks and leaders.

import { api } from "../api.js";
import { add, alertBox, confidentialityBadge, h, loadingBox, pageHeading, stateBadge, urgencyBadge } from "../dom.js";
import { formatDate, formatDateTime, vietnamFields } from "../dates.js";
import { t } from "../i18n.js";
import { codes, documentTypeLabel, outgoingStateLabel } from "../labels.js";
import { currentMembership, navigate, rolesIn, takeFlash } from "../state.js";
import { codeOf, dataTable, errorPanel, exportButtons, outgoingLink, pager } from "../widgets.js";

const PAGE_SIZE = 20;
const PRINTERS = ["clerk", "head", "unit_head"];
// Set when the state filter changed, so the redrawn list gives the focus back to it.
let refocusFilter = false;

function listHash(state, page = 1) {
  const params = new URLSearchParams();
  if (state) params.set("state", state);
  if (page > 1) params.set("page", String(page));
  const text = params.toString();
  return `#/outgoing${text ? `?${text}` : ""}`;
}

/** The unit's outgoing registers of the year, each printable. @param {HTMLElement} printer @param {string} unitId */
async function loadRegisters(printer, unitId) {
  const year = vietnamFields(Date.now()).year;
  try {
    const result = await api.listRegisters({ unit_id: unitId, direction: "outgoing", year });
    const registers = result.items || [];
    if (!registers.length) {
      printer.replaceChildren(h("p", { class: "hint" }, t("noOutgoingRegister", year)));
      return;
    }
    printer.replaceChildren(...registers.map((register, index) => h("div", { class: "print-row" },
      h("span", { class: "print-label" }, registers.length > 1 ? register.name : t("printOutgoingRegister")),
      exportButtons({
        path: `/registers/${encodeURIComponent(register.id)}/export`,
        idPrefix: index ? `print-register-${index}` : "print-register",
        label: (format) => t("printRegisterLabel", register.name, format),
        fallbackName: `so-di-${year}`,
      }))));
  } catch {
    printer.remove();
  }
}

/** The list's columns. */
function columns() {
  return [
    { label: t("colState"), className: "col-badge", render: (d) => stateBadge(d.state, d.state_name) },
    {
      label: t("colCode"), className: "col-code",
      render: (d) => (d.code_number ? h("strong", {}, codeOf(d)) : h("span", { class: "muted" }, t("notNumbered"))),
    },
    {
      label: t("colSubject"), className: "col-subject", render: (d) => [
        outgoingLink(d.id, d.subject),
        h("span", { class: "cell-meta" }, documentTypeLabel(d.document_type, d.document_type_name),
          d.issued_date ? ` · ${formatDate(d.issued_date)}` : ""),
      ],
    },
    {
      label: t("colUrgency"), className: "col-badge", render: (d) => [
        urgencyBadge(d.urgency), " ", confidentialityBadge(d.confidentiality)],
    },
    { label: t("colUpdated"), className: "col-date", render: (d) => formatDateTime(d.updated_at) },
  ];
}

/** #/outgoing. @param {HTMLElement} view @param {Record<string, string>} params @param {URLSearchParams} query */
export function renderOutgoing(view, params, query) {
  const membership = currentMembership();
  const unitId = membership?.unit_id;
  const roles = unitId ? rolesIn(unitId) : [];
  const page = Math.max(1, Number.parseInt(query.get("page") || "1", 10) || 1);
  const state = codes("outgoing_states").includes(query.get("state")) ? query.get("state") : "";
  const flash = takeFlash();
  const canDraft = roles.some((role) => role !== "admin");
  const canPrint = roles.some((role) => PRINTERS.includes(role));

  const stateSelect = h("select", { id: "outgoing-state", name: "state" },
    h("option", { value: "" }, t("allStates")),
    codes("outgoing_states").map((s) => h("option", { value: s, selected: s === state }, outgoingStateLabel(s))));
  stateSelect.addEventListener("change", () => {
    refocusFilter = true;
    navigate(listHash(stateSelect.value));
  });
  const filters = h("form", { class: "filter-bar", role: "search", "aria-label": t("filterState") },
    h("div", { class: "field" }, h("label", { for: "outgoing-state" }, t("filterState")), stateSelect));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(listHash(stateSelect.value));
  });

  const printer = canPrint ? h("div", { class: "register-print", id: "register-print" }) : null;
  add(view,
    pageHeading(t("outgoingTitle"),
      canDraft ? h("a", { href: "#/outgoing/new", class: "btn btn-primary", id: "draft-new" }, "+ ", t("draftNew")) : null),
    membership ? h("p", { class: "muted page-sub" }, t("outgoingOf", membership.unit_name || "")) : null,
    flash ? alertBox(flash.kind, flash.text) : null,
    h("div", { class: "list-tools" }, filters, printer));
  const body = h("div", {}, loadingBox());
  view.append(body);

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      const result = await api.listOutgoing({ unit_id: unitId, state, page, page_size: PAGE_SIZE });
      draw(result);
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  function draw(result) {
    if (!result.items.length) {
      body.replaceChildren(h("p", { class: "empty" }, t(state ? "emptyOutgoingState" : "emptyOutgoing")));
      return;
    }
    body.replaceChildren(
      dataTable(columns(), result.items, {
        caption: t("outgoingTitle"),
        rowClass: (d) => (d.urgency && d.urgency !== "normal" ? `row-urgent row-${d.urgency}` : null),
      }),
      pager({
        page: result.page, pageSize: result.page_size, total: result.total,
        onPage: (p) => navigate(listHash(state, p)),
      }));
  }

  if (!unitId) {
    body.replaceChildren(h("p", { class: "empty" }, t("emptyOutgoing")));
    return { title: t("outgoingTitle") };
  }
  if (printer) loadRegisters(printer, unitId);
  load();
  const focus = refocusFilter ? stateSelect : null;
  refocusFilter = false;
  return { title: t("outgoingTitle"), focus };
}
