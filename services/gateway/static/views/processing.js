// The "Xử lý" panel of an incoming document: where its handling stands (state,
// direction comment, deadline, every part with who holds it, its deadline, progress,
// state and result) and the steps the caller may take now: the clerk submits it to a
// leader, the leader holding it assigns it (lead, co-handlers, for-information), a
// unit's leader passes the unit's part to one of its people, and whoever holds an open
// part records progress, returns it with a reason or completes it. Each step redraws
// the panel from the processing the API returns.

import { ApiError, api, session } from "../api.js";
import {
  knowsPerson, personName, rememberPeople, resolveNames, unitMembers, unitName,
} from "../directory.js";
import { alertBox, fill, h, loadingBox } from "../dom.js";
import {
  formatDate, formatDateTime, itemStateLabel, kindLabel, parseInstant, processingStateLabel, t, todayIso,
} from "../i18n.js";
import { hasRole, hooks } from "../state.js";
import { assigneePicker as sharedAssigneePicker, codeOf, dataTable, errorPanel, stepForm } from "../widgets.js";

const LEADER_ROLES = ["head", "unit_head"];
const HANDLING = ["lead", "co_handler"];
const POLL_MS = 1500;
const POLL_TRIES = 8;

/** Whether the caller holds the item: theirs, or a unit's part not passed on that they lead. */
export function holdsItem(item) {
  const me = session.user;
  if (!me) return false;
  if (item.mine) return true;
  if (item.user_id) return item.user_id === me.id;
  return Boolean(item.unit_id) && LEADER_ROLES.some((role) => hasRole(role, item.unit_id));
}

export function leadsUnit(unitId) {
  return LEADER_ROLES.some((role) => hasRole(role, unitId));
}

/** Items in the order of the tree: each part followed by the parts passed on from it. */
function ordered(items) {
  const byParent = new Map();
  for (const item of items) {
    const key = item.parent_id || "";
    if (!byParent.has(key)) byParent.set(key, []);
    byParent.get(key).push(item);
  }
  const ids = new Set(items.map((i) => i.id));
  const out = [];
  const walk = (parentKey, depth) => {
    for (const item of byParent.get(parentKey) || []) {
      out.push({ item, depth });
      walk(item.id, depth + 1);
    }
  };
  walk("", 0);
  // parts whose parent is not listed (should not happen) still show
  for (const item of items) {
    if (item.parent_id && !ids.has(item.parent_id)) out.push({ item, depth: 1 });
  }
  return out;
}

/** Who holds an item, as text. */
export function holderName(item) {
  if (item.user_id) return personName(item.user_id);
  if (item.unit_id) return unitName(item.unit_id);
  return t("none");
}

const VIETNAM_OFFSET_MS = 7 * 3600 * 1000;   // Vietnam keeps UTC+7 all year
const pad2 = (n) => String(n).padStart(2, "0");

/**
 * A deadline as shown: "13:30 10/03/2026" (Vietnam time) when the unit counts it in
 * hours (due_at), else the day; "—" when there is none.
 */
export function formatDeadline(dueDate, dueAt) {
  if (dueAt) {
    const at = parseInstant(dueAt);
    if (!Number.isNaN(at.getTime())) {
      const vn = new Date(at.getTime() + VIETNAM_OFFSET_MS);
      return `${pad2(vn.getUTCHours())}:${pad2(vn.getUTCMinutes())} ${pad2(vn.getUTCDate())}/${pad2(vn.getUTCMonth() + 1)}/${vn.getUTCFullYear()}`;
    }
  }
  return dueDate ? formatDate(dueDate) : t("none");
}

/** Whether an open part's deadline has passed: the moment for a deadline in hours, else the day. */
export function isLate({ due_date: dueDate, due_at: dueAt, state }) {
  if (!["open", "forwarded"].includes(state)) return false;
  if (dueAt) return Date.now() > parseInstant(dueAt).getTime();
  return Boolean(dueDate) && dueDate < todayIso();
}

/** A deadline cell: the day or the moment, marked when it has passed. */
export function deadlineText(item) {
  if (!item.due_date && !item.due_at) return t("none");
  const text = formatDeadline(item.due_date, item.due_at);
  const shown = item.due_at ? h("span", { class: "due-at", title: t("dueAtHint") }, text) : text;
  return isLate(item) ? h("span", { class: "overdue" }, shown, " · ", t("overdueMark")) : shown;
}

// ------------------------------------------------------------ delegations the caller holds

const HELD_TTL_MS = 30_000;
let held = null;   // {owner, at, promise}

/**
 * The delegations (ủy quyền) in force today that the caller received, read once and
 * kept briefly: under one to assign or approve they act in the delegator's place.
 */
export function heldDelegations() {
  const me = session.user?.id || null;
  if (!me) return Promise.resolve([]);
  if (!held || held.owner !== me || Date.now() - held.at > HELD_TTL_MS) {
    held = {
      owner: me, at: Date.now(),
      promise: api.listDelegations({ active: "true" })
        .then((result) => {
          const mine = (result?.items || []).filter((d) => d.to_user_id === me && !d.revoked_at);
          rememberPeople(Object.fromEntries(mine.map((d) => [d.from_user_id, d.from_name])));
          return mine;
        })
        .catch(() => []),
    };
  }
  return held.promise;
}

/**
 * The held delegation that lets the caller take `action` (assign | approve) in
 * `unitId` — from `fromUserId` if given, on a document of `documentType` — or null.
 */
export function delegationFor(delegations, { action, unitId, fromUserId = null, documentType = "" }) {
  return (delegations || []).find((d) => (d.actions || []).includes(action) && d.unit_id === unitId
    && (!fromUserId || d.from_user_id === fromUserId)
    && (!d.document_types?.length || d.document_types.includes(documentType))) || null;
}

/** "TL. thay Trần Văn Minh": whom the caller acts for under a delegation. */
export function actingFor(delegation) {
  return t("actingFor", delegation.kind, delegation.from_name || t("unknownPerson"));
}

function progressCell(item) {
  if (!HANDLING.includes(item.kind)) return t("none");
  const value = item.progress ?? (item.state === "done" ? 100 : 0);
  return h("span", { class: "progress-cell" },
    h("progress", { max: "100", value: String(value), "aria-hidden": "true" }),
    h("span", {}, `${value}%`));
}

/**
 * The panel. `doc` is the incoming document (null when the caller may not read it
 * but has a part in its handling). `onChange(processing)` runs after each step.
 */
export function processingPanel({ documentId, doc, onChange }) {
  const unitId = doc?.unit_id || null;
  const stateBadge = h("span", { class: "badge proc-state", id: "processing-state", hidden: true });
  const message = h("div", { id: "processing-message", class: "doc-message", tabindex: "-1" });
  const body = h("div", { class: "processing-body" }, loadingBox());
  const panel = h("section", { class: "panel processing-panel", id: "processing", "aria-labelledby": "processing-title" },
    h("div", { class: "panel-head" }, h("h2", { id: "processing-title" }, t("processingTitle")), stateBadge),
    message,
    body);
  let processing = null;
  let formSlot = null;
  let tries = 0;
  // what the caller may do in a leader's place (ủy quyền "assign"), read when it matters
  let delegations = [];

  function say(kind, ...children) {
    message.replaceChildren(alertBox(kind, ...children));
    message.focus();
  }

  async function load() {
    try {
      const result = await api.processing(documentId);
      if (!result.state && tries < POLL_TRIES) {
        // Workflow opens the processing from documents' event: it may be a moment behind.
        tries += 1;
        body.replaceChildren(h("p", { class: "muted", role: "status" }, t("processingOpening")));
        setTimeout(() => { if (panel.isConnected) load(); }, POLL_MS);
        return;
      }
      await draw(result);
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  async function draw(result) {
    processing = result;
    const items = (result.items || []).filter((i) => !(i.kind === "to_assign" && i.state === "closed"));
    await resolveNames({
      unitIds: items.map((i) => i.unit_id),
      userIds: [...items.map((i) => i.user_id), ...items.map((i) => i.assigned_by)].filter(Boolean),
      documentId: doc ? documentId : null,
    });
    const docType = result.document_type || "";
    const mayNeedDelegation = (result.state === "awaiting_assignment" && unitId && !leadsUnit(unitId)
        && !items.some((i) => i.kind === "to_assign" && i.state === "open" && holdsItem(i)))
      || items.some((i) => i.state === "open" && !i.user_id && i.unit_id && HANDLING.includes(i.kind) && !leadsUnit(i.unit_id));
    delegations = mayNeedDelegation
      ? (await heldDelegations()).filter((d) => d.actions?.includes("assign")
        && (!d.document_types?.length || d.document_types.includes(docType)))
      : [];
    if (!result.state) {
      stateBadge.hidden = true;
      body.replaceChildren(h("p", { class: "muted" }, t("processingNone")),
        h("button", { type: "button", class: "btn btn-secondary btn-small", onclick: () => { tries = 0; load(); } }, t("refresh")));
      return;
    }
    stateBadge.hidden = false;
    stateBadge.className = `badge proc-state proc-${result.state}`;
    stateBadge.textContent = processingStateLabel(result.state);
    formSlot = h("div", { id: "processing-form", class: "processing-form" });
    const reply = result.reply_document_id;
    fill(body,
      h("dl", { class: "detail-list processing-summary" },
        h("dt", {}, t("instruction")), h("dd", { id: "processing-instruction" }, result.instruction || t("none")),
        h("dt", {}, t("dueDate")), h("dd", { id: "processing-due" }, formatDeadline(result.due_date, result.due_at)),
        result.completed_at ? [h("dt", {}, t("completedAt")), h("dd", {}, formatDateTime(result.completed_at))] : null,
        reply ? [h("dt", {}, t("replyDocument")), h("dd", {}, replyLink(reply))] : null),
      actionsArea(result, items),
      formSlot,
      items.length
        ? h("div", { class: "processing-items", id: "processing-items" },
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
            { label: t("colResult"), className: "col-details", render: ({ item }) => resultOf(item) },
          ], ordered(items), {
            caption: t("partsTitle"),
            rowClass: ({ item }) => [`part part-${item.kind} part-${item.state}`, holdsItem(item) && item.state === "open" ? "part-mine" : null]
              .filter(Boolean).join(" "),
          }))
        : null);
  }

  function replyLink(documentId) {
    const link = h("a", { href: `#/outgoing/${encodeURIComponent(documentId)}`, class: "doc-link" }, t("openReply"));
    api.getOutgoing(documentId).then((out) => {
      link.textContent = `${out.code_number ? codeOf(out) : t("notNumbered")} — ${out.subject}`;
    }).catch(() => {});
    return link;
  }

  function resultOf(item) {
    const parts = [];
    if (item.return_reason) parts.push(h("p", { class: "part-note" }, h("strong", {}, `${t("returnReason")}: `), item.return_reason));
    if (item.result_note) parts.push(h("p", { class: "part-note" }, item.result_note));
    if (item.reply_document_id) parts.push(h("p", { class: "part-note" }, replyLink(item.reply_document_id)));
    if (item.instruction && item.parent_id && item.instruction !== processing?.instruction) parts.push(h("p", { class: "part-note muted" }, `${t("instruction")}: ${item.instruction}`));
    return parts.length ? parts : t("none");
  }

  // ------------------------------------------------------------ what the caller may do

  function actionsArea(result, items) {
    const buttons = [];
    const awaiting = result.state === "awaiting_assignment";
    if (awaiting && unitId && hasRole("clerk", unitId)) {
      buttons.push(actionButton("proc-submit", t("actionSubmitToLeader"), "btn-primary", (button) => openSubmit(button)));
    }
    const holdsToAssign = items.some((i) => i.kind === "to_assign" && i.state === "open" && holdsItem(i));
    // Someone holding a delegation to assign from a leader of the unit assigns in his place
    const holders = items.filter((i) => i.kind === "to_assign" && i.state === "open").map((i) => i.user_id);
    const forLeader = awaiting && unitId && !holdsToAssign && !leadsUnit(unitId)
      ? (holders.map((id) => delegationFor(delegations, { action: "assign", unitId, fromUserId: id, documentType: result.document_type || "" }))
        .find(Boolean) || delegationFor(delegations, { action: "assign", unitId, documentType: result.document_type || "" }))
      : null;
    if (awaiting && unitId && (holdsToAssign || leadsUnit(unitId) || forLeader)) {
      buttons.push(actionButton("proc-assign", forLeader ? t("actionAssignFor", forLeader.from_name || "") : t("actionAssign"),
        "btn-primary", (button) => openAssign(button, forLeader)));
    }
    const work = items.filter((i) => i.state === "open" && [...HANDLING, "for_info"].includes(i.kind)
      && (holdsItem(i) || unitDelegation(i)));
    if (!buttons.length && !work.length) return null;
    const cards = work.map((item, index) => workCard(item, index));
    return h("div", { class: "processing-actions", id: "processing-actions" },
      forLeader ? h("p", { class: "acting-for", id: "processing-acting-for" }, actingFor(forLeader)) : null,
      buttons.length ? h("div", { class: "step-actions" }, buttons) : null,
      cards.length ? h("div", { class: "my-work" }, h("h3", { class: "subhead" }, t("yourWork")), cards) : null);
  }

  /** For a unit's part not passed on, the delegation letting the caller pass it on for a leader. */
  function unitDelegation(item) {
    if (item.user_id || !item.unit_id || !HANDLING.includes(item.kind) || leadsUnit(item.unit_id)) return null;
    return delegationFor(delegations, { action: "assign", unitId: item.unit_id, documentType: processing?.document_type || "" });
  }

  function actionButton(id, label, kind, open) {
    const button = h("button", {
      type: "button", id, class: ["btn", kind], "aria-expanded": "false", "aria-controls": "processing-form",
      onclick: () => open(button),
    }, label);
    return button;
  }

  function workCard(item, index) {
    const suffix = index ? `-${index + 1}` : "";
    const buttons = [];
    if (item.kind === "for_info") {
      const button = h("button", {
        type: "button", class: "btn btn-primary", id: `work-read${suffix}`, dataset: { action: "read", item: item.id },
        onclick: async () => {
          button.disabled = true;
          try {
            apply(await api.actOnAssignment(item.id, "complete", {}), t("doneRead"));
          } catch (error) {
            button.disabled = false;
            if (!moved(error)) say("error", h("p", {}, error.message));
          }
        },
      }, t("actionMarkRead"));
      buttons.push(button);
    } else if (!holdsItem(item) && unitDelegation(item)) {
      // held for a leader of the unit: only passing it on is the delegate's to do
      buttons.push(actionButton(`work-forward${suffix}`, t("actionForward"), "btn-primary", (b) => openForward(item, b)));
    } else {
      if (!item.user_id && item.unit_id && leadsUnit(item.unit_id)) {
        buttons.push(actionButton(`work-forward${suffix}`, t("actionForward"), "btn-primary", (b) => openForward(item, b)));
      }
      buttons.push(actionButton(`work-progress${suffix}`, t("actionProgress"), "btn-secondary", (b) => openProgress(item, b)));
      buttons.push(actionButton(`work-complete${suffix}`, t("actionComplete"), "btn-primary", (b) => openComplete(item, b)));
      buttons.push(actionButton(`work-return${suffix}`, t("actionReturnPart"), "btn-warning", (b) => openReturn(item, b)));
    }
    for (const b of buttons) b.dataset.item = item.id;
    const delegated = !holdsItem(item) ? unitDelegation(item) : null;
    return h("div", { class: "work-card", dataset: { itemId: item.id, kind: item.kind } },
      h("p", { class: "work-title" },
        h("strong", {}, kindLabel(item.kind)), " · ", holderName(item),
        item.due_date || item.due_at ? [" · ", t("dueShort"), " ", deadlineText(item)] : null),
      delegated ? h("p", { class: "acting-for" }, actingFor(delegated)) : null,
      item.instruction ? h("p", { class: "work-instruction" }, h("span", { class: "muted" }, `${t("instruction")}: `), item.instruction) : null,
      h("div", { class: "step-actions" }, buttons));
  }

  /** Show `form` in the slot, marking `trigger` as the button that opened it. */
  function show(form, trigger, focus) {
    for (const b of panel.querySelectorAll("[aria-controls=processing-form]")) b.setAttribute("aria-expanded", String(b === trigger));
    formSlot.replaceChildren(form);
    (focus || form.querySelector("input, select, textarea, button"))?.focus();
  }

  function closeForm(trigger) {
    formSlot.replaceChildren();
    trigger?.setAttribute("aria-expanded", "false");
    trigger?.focus();
  }

  /**
   * A step refused because the document moved on meanwhile (409) or the part is no
   * longer the caller's (403): say so and show where it stands now.
   */
  function moved(error) {
    if (!(error instanceof ApiError) || ![403, 409].includes(error.status)) return false;
    api.processing(documentId).then(draw).catch(() => {}).finally(() => {
      say("error", h("p", {}, error.message));
    });
    return true;
  }

  function apply(result, text) {
    draw(result).then(() => {
      say("success", h("p", { id: "processing-done" }, text));
      onChange?.(result);
      hooks.refreshCounts();
    });
  }

  // ------------------------------------------------------------ the clerk submits it

  async function openSubmit(trigger) {
    const select = h("select", { name: "to_user_id" }, h("option", { value: "" }, t("loading")));
    const note = h("textarea", { name: "note", rows: "2", maxlength: "2000" });
    const { form } = stepForm({
      id: "submit", title: t("actionSubmitToLeader"), intro: t("submitIntro"),
      fields: [
        { id: "submit-to", label: t("leaderToAssign"), control: select, required: true, wide: true },
        { id: "submit-note", label: t("noteOptional"), control: note, wide: true },
      ],
      confirmLabel: t("actionSubmitToLeader"), controlFor: { to_user_id: "submit-to", note: "submit-note" },
      cancel: () => closeForm(trigger), onError: moved,
      submit: async (errors) => {
        if (!select.value) {
          errors.show(null, { to_user_id: t("chooseLeader") });
          return;
        }
        const body = { to_user_id: select.value };
        if (note.value.trim()) body.note = note.value.trim();
        const name = select.selectedOptions[0]?.dataset.name || "";
        apply(await api.submitIncoming(documentId, body), t("doneSubmitted", name));
      },
    });
    show(form, trigger, select);
    const people = await unitMembers(unitId);
    const leaders = people.filter((p) => (p.memberships || []).some((m) => m.unit_id === unitId && LEADER_ROLES.includes(m.role)));
    select.replaceChildren(
      h("option", { value: "" }, leaders.length ? t("chooseLeaderOption") : t("noLeaders")),
      ...leaders.map((p) => h("option", { value: p.id, dataset: { name: p.full_name } },
        p.position ? `${p.full_name} — ${p.position}` : p.full_name)));
    if (leaders.length === 1) select.value = leaders[0].id;
  }

  // ------------------------------------------------------------ the leader assigns it

  function openAssign(trigger, forLeader = null) {
    const lead = { chosen: null, due: "" };
    const co = [];
    const info = [];
    const today = todayIso();
    const taken = (a) => [lead.chosen, ...co, ...info].some((x) => x && (a.unit_id ? x.unit_id === a.unit_id : x.user_id === a.user_id));

    const leadChosen = h("div", { class: "assignee-chosen", id: "as-lead-chosen", "aria-live": "polite" });
    const leadDue = h("input", { type: "date", name: "lead_due", min: today });
    const coList = h("ul", { class: "assignee-list", id: "as-co-list" });
    const infoList = h("ul", { class: "assignee-list", id: "as-info-list" });
    const instruction = h("textarea", { name: "instruction", rows: "3", maxlength: "2000" });

    const drawLead = () => {
      leadChosen.replaceChildren(lead.chosen
        ? h("div", { class: "recipient" },
          h("span", { class: "recipient-main" }, h("span", { class: "recipient-name" }, lead.chosen.name),
            h("span", { class: "cell-meta" }, lead.chosen.meta)),
          h("button", {
            type: "button", class: "btn btn-link btn-small", "aria-label": t("removeAssignee", lead.chosen.name),
            onclick: () => { lead.chosen = null; drawLead(); pickers.forEach((p) => p.redraw()); leadPicker.input.focus(); },
          }, t("remove")))
        : h("p", { class: "muted recipient-empty" }, t("noLeadYet")));
    };
    const drawList = (list, el, prefix, withDue) => {
      list.forEach((a, index) => { labels[`${prefix}-due-${index}`] = `${a.name} — ${t("dueDate")}`; });
      el.replaceChildren(...(list.length ? list.map((a, index) => h("li", { class: "recipient" },
        h("span", { class: "recipient-main" }, h("span", { class: "recipient-name" }, a.name),
          h("span", { class: "cell-meta" }, a.meta)),
        withDue ? h("span", { class: "field assignee-due" },
          h("label", { for: `${prefix}-due-${index}` }, t("dueDate")),
          h("p", { class: "field-error", id: `${prefix}-due-${index}-error`, hidden: true }),
          h("input", {
            type: "date", id: `${prefix}-due-${index}`, value: a.due || "", min: today,
            "aria-label": `${t("dueDate")}: ${a.name}`,
            oninput: (event) => { a.due = event.target.value; },
          })) : null,
        h("button", {
          type: "button", class: "btn btn-link btn-small", "aria-label": t("removeAssignee", a.name),
          onclick: () => { list.splice(index, 1); redrawAll(); },
        }, t("remove"))))
        : [h("li", { class: "muted recipient-empty" }, t("noneChosen"))]));
    };
    const redrawAll = () => {
      drawLead();
      drawList(co, coList, "as-co", true);
      drawList(info, infoList, "as-info", false);
      pickers.forEach((p) => p.redraw());
    };

    const leadPicker = assigneePicker("as-lead", t("chooseLead"), (a) => taken(a), (a) => { lead.chosen = a; redrawAll(); });
    const coPicker = assigneePicker("as-co", t("addCoHandler"), (a) => taken(a), (a) => { co.push({ ...a, due: "" }); redrawAll(); });
    const infoPicker = assigneePicker("as-info", t("addForInfo"), (a) => taken(a), (a) => { info.push(a); redrawAll(); });
    const pickers = [leadPicker, coPicker, infoPicker];

    const assigneesError = h("p", { class: "field-error", id: "as-assignees-error", hidden: true });
    const labels = {};
    const group = (id, legend, hint, ...content) => h("fieldset", { class: "section assign-section", id: `${id}-group` },
      h("legend", {}, legend), hint ? h("p", { class: "hint section-hint" }, hint) : null, ...content);
    const leadGroup = group("as-lead", t("leadLegend"), t("leadHint"),
      leadChosen, leadPicker.element,
      h("div", { class: "form-grid" },
        h("div", { class: "field" },
          h("label", { for: "as-lead-due" }, t("dueDate")),
          h("p", { class: "hint", id: "as-lead-due-hint" }, t("leadDueHint")),
          h("p", { class: "field-error", id: "as-lead-due-error", hidden: true }),
          Object.assign(leadDue, { id: "as-lead-due" }))));
    leadDue.setAttribute("aria-describedby", "as-lead-due-hint");
    leadDue.addEventListener("input", () => { lead.due = leadDue.value; });
    labels["as-lead-due"] = `${t("leadLegend")} — ${t("dueDate")}`;
    labels["as-lead-search"] = t("leadLegend");
    labels["as-co-search"] = t("coLegend");
    labels["as-info-search"] = t("infoLegend");
    labels["as-assignees"] = t("assigneesLabel");
    labels["as-instruction"] = t("instruction");

    const controlFor = (key) => {
      const co_due = /^co_handlers\[(\d+)\](\.due_date)?$/.exec(key);
      if (co_due) return `as-co-due-${co_due[1]}`;
      if (/^for_info/.test(key)) return "as-info-search";
      if (/^co_handlers/.test(key)) return "as-co-search";
      return {
        lead: "as-lead-search", "lead.due_date": "as-lead-due", "lead.unit_id": "as-lead-search",
        "lead.user_id": "as-lead-search", assignees: "as-assignees", instruction: "as-instruction",
      }[key] || null;
    };
    const { form } = stepForm({
      id: "assign", title: t("assignTitle"), intro: forLeader ? `${t("assignIntro")} ${actingFor(forLeader)}.` : t("assignIntro"),
      fields: [
        h("div", { class: "field-wide assign-groups", id: "as-assignees", tabindex: "-1", role: "group", "aria-label": t("assigneesLabel") },
          assigneesError, leadGroup,
          group("as-co", t("coLegend"), t("coHint"), coList, coPicker.element),
          group("as-info", t("infoLegend"), t("infoHint"), infoList, infoPicker.element)),
        { id: "as-instruction", label: t("instruction"), control: instruction, wide: true, hint: t("instructionHint") },
      ],
      confirmLabel: t("actionAssign"), controlFor, labels,
      cancel: () => closeForm(trigger), onError: moved,
      submit: async (errs) => {
        if (!lead.chosen) {
          errs.show(null, { lead: t("leadRequired") });
          return;
        }
        const who = (a) => (a.unit_id ? { unit_id: a.unit_id } : { user_id: a.user_id });
        const body = {
          lead: { ...who(lead.chosen), ...(lead.due ? { due_date: lead.due } : {}) },
          co_handlers: co.map((a) => ({ ...who(a), ...(a.due ? { due_date: a.due } : {}) })),
          for_info: info.map(who),
        };
        if (instruction.value.trim()) body.instruction = instruction.value.trim();
        apply(await api.assignIncoming(documentId, body), t("doneAssigned"));
      },
    });
    redrawAll();
    show(form, trigger, leadPicker.input);
  }

  /** The search over what a leader of the document's unit may assign to (widgets.js). */
  function assigneePicker(prefix, buttonLabel, isTaken, onPick) {
    return sharedAssigneePicker({ prefix, buttonLabel, unitId, isTaken, onPick });
  }

  // ------------------------------------------------------------ a unit's leader passes it on

  async function openForward(item, trigger) {
    const select = h("select", { name: "user_id" }, h("option", { value: "" }, t("loading")));
    const due = h("input", { type: "date", name: "due_date", min: todayIso(), max: item.due_date || null });
    const instruction = h("textarea", { name: "instruction", rows: "2", maxlength: "2000" });
    const { form } = stepForm({
      id: "forward", title: t("forwardTitle", unitName(item.unit_id)),
      fields: [
        { id: "fw-user", label: t("forwardTo"), control: select, required: true, wide: true },
        { id: "fw-due", label: t("dueDate"), control: due, hint: item.due_date ? t("forwardDueHint", formatDate(item.due_date)) : null },
        { id: "fw-instruction", label: t("instructionOptional"), control: instruction, wide: true },
      ],
      confirmLabel: t("actionForward"), controlFor: { user_id: "fw-user", due_date: "fw-due", instruction: "fw-instruction" },
      cancel: () => closeForm(trigger), onError: moved,
      submit: async (errors) => {
        if (!select.value) {
          errors.show(null, { user_id: t("choosePerson") });
          return;
        }
        const body = { user_id: select.value };
        if (due.value) body.due_date = due.value;
        if (instruction.value.trim()) body.instruction = instruction.value.trim();
        const name = select.selectedOptions[0]?.dataset.name || "";
        apply(await api.actOnAssignment(item.id, "forward", body), t("doneForwarded", name));
      },
    });
    show(form, trigger, select);
    const me = session.user?.id;
    const people = (await unitMembers(item.unit_id)).filter((p) => p.id !== me);
    select.replaceChildren(
      h("option", { value: "" }, people.length ? t("choosePersonOption") : t("noPeople")),
      ...people.map((p) => h("option", { value: p.id, dataset: { name: p.full_name } },
        [p.full_name, p.position].filter(Boolean).join(" — "))));
  }

  // ------------------------------------------------------------ progress, return, complete

  function openProgress(item, trigger) {
    const percent = h("input", {
      type: "number", name: "percent", min: "0", max: "100", step: "5", inputmode: "numeric",
      value: item.progress != null ? String(item.progress) : "",
    });
    const note = h("textarea", { name: "note", rows: "3", maxlength: "2000" });
    const { form } = stepForm({
      id: "progress", title: t("actionProgress"),
      fields: [
        { id: "pr-percent", label: t("percentDone"), control: percent, hint: t("percentHint") },
        { id: "pr-note", label: t("progressNote"), control: note, required: true, wide: true },
      ],
      confirmLabel: t("saveProgress"), controlFor: { percent: "pr-percent", note: "pr-note" },
      cancel: () => closeForm(trigger), onError: moved,
      submit: async (errors) => {
        const problems = {};
        if (!note.value.trim()) problems.note = t("noteRequired");
        const value = percent.value.trim();
        if (value && !(/^\d{1,3}$/.test(value) && Number(value) <= 100)) problems.percent = t("percentInvalid");
        if (Object.keys(problems).length) {
          errors.show(null, problems);
          return;
        }
        const body = { note: note.value.trim() };
        if (value) body.percent = Number(value);
        apply(await api.actOnAssignment(item.id, "progress", body), t("doneProgress"));
      },
    });
    show(form, trigger, percent);
  }

  function openReturn(item, trigger) {
    const reason = h("textarea", { name: "reason", rows: "3", maxlength: "2000" });
    const { form } = stepForm({
      id: "return", title: t("actionReturnPart"), intro: t("returnIntro"),
      fields: [{ id: "rt-reason", label: t("reason"), control: reason, required: true, wide: true }],
      confirmLabel: t("confirmReturn"), confirmClass: "btn-warning", controlFor: { reason: "rt-reason" },
      cancel: () => closeForm(trigger), onError: moved,
      submit: async (errors) => {
        if (!reason.value.trim()) {
          errors.show(null, { reason: t("reasonRequired") });
          return;
        }
        apply(await api.actOnAssignment(item.id, "return", { reason: reason.value.trim() }), t("doneReturnedPart"));
      },
    });
    show(form, trigger, reason);
  }

  async function openComplete(item, trigger) {
    const note = h("textarea", { name: "note", rows: "3", maxlength: "2000" });
    const reply = h("select", { name: "reply_document_id" }, h("option", { value: "" }, t("loading")));
    const { form } = stepForm({
      id: "complete", title: t("actionComplete"), intro: item.kind === "lead" && !item.parent_id ? t("completeLeadIntro") : null,
      fields: [
        { id: "cp-note", label: t("resultNote"), control: note, wide: true },
        { id: "cp-reply", label: t("replyDocumentOptional"), control: reply, wide: true, hint: t("replyHint") },
      ],
      confirmLabel: t("confirmComplete"), controlFor: { note: "cp-note", reply_document_id: "cp-reply" },
      cancel: () => closeForm(trigger), onError: moved,
      submit: async () => {
        const body = {};
        if (note.value.trim()) body.note = note.value.trim();
        if (reply.value) body.reply_document_id = reply.value;
        apply(await api.actOnAssignment(item.id, "complete", body), t("doneCompleted"));
      },
    });
    show(form, trigger, note);
    const parent = (processing?.items || []).find((i) => i.id === item.parent_id);
    const memberships = (session.user?.memberships || []).filter((m) => m.role !== "admin");
    const own = [item.unit_id, parent?.unit_id].find((u) => u && memberships.some((m) => m.unit_id === u))
      || memberships[0]?.unit_id;
    let issued = [];
    if (own) {
      try {
        issued = (await api.listOutgoing({ unit_id: own, state: "issued", page_size: 50 })).items || [];
      } catch {
        issued = [];
      }
    }
    reply.replaceChildren(
      h("option", { value: "" }, issued.length ? t("noReply") : t("noIssuedDocuments")),
      ...issued.map((d) => h("option", { value: d.id }, `${codeOf(d)} — ${d.subject}`)));
  }

  load();
  return panel;
}
