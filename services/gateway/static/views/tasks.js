// Công việc: tasks given within a unit, from a document or on their own.
// #/tasks lists the caller's tasks (tabs: to do, given by me and, for a unit's leaders,
// the unit's; with the number still open, and how many of mine are overdue), filtered
// by state and, with ?document_id=, by the document they come from; open ones first,
// the nearest deadline first, overdue ones marked; "Giao việc" gives a task (a leader
// to anyone of the unit or a unit below it, anyone else to themselves). #/tasks/{id}
// shows one task: who gave it and who does it, its deadline, progress and latest
// note, the document it comes from, its sub-tasks (with a form to add one), its
// history (each update the API keeps), and the steps the caller may take: record
// progress, complete it (refused while a sub-task is open), cancel it (its giver).
// documentTasksPanel() is the "Công việc" section of an incoming document's screen.
// People's names come with the tasks (assignee_name, created_by_name, actor_name).

import { ApiError, api, session } from "../api.js";
import { resolveNames, unitName } from "../directory.js";
import { add, alertBox, h, loadingBox, pageHeading } from "../dom.js";
import { formatDate, formatDateTime, t, todayIso } from "../i18n.js";
import { currentMembership, hooks, navigate, setFlash, takeFlash } from "../state.js";
import {
  assigneePicker, codeOf, dataTable, documentLink, errorPanel, errorSlotId, liveSearch, pager, stepForm,
} from "../widgets.js";
import { leadsUnit } from "./processing.js";

const VIEWS = [["mine", "taskViewMine"], ["created", "taskViewCreated"], ["unit", "taskViewUnit"]];
const STATES = ["open", "done", "cancelled"];
const PAGE_SIZE = 20;
const SOON_DAYS = 3;
const SEARCH_DELAY_MS = 300;
// The filter that was just changed: focus returns to it when the list is drawn again.
let refocus = null;

// ------------------------------------------------------------------ shared pieces

function me() {
  return session.user?.id || null;
}

function addDays(iso, days) {
  const [y, m, d] = iso.split("-").map(Number);
  const date = new Date(y, m - 1, d + days);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

/** "late" (open past its deadline), "soon" (open, due within SOON_DAYS days) or null. */
function urgencyOf(task) {
  if (task.state !== "open" || !task.due_date) return null;
  const today = todayIso();
  if (task.due_date < today) return "late";
  return task.due_date <= addDays(today, SOON_DAYS) ? "soon" : null;
}

/** The deadline as dd/mm/yyyy, marked when it has passed or is near. */
function deadline(task, attrs = {}) {
  if (!task.due_date) return h("span", attrs, t("taskNoDeadline"));
  const urgency = urgencyOf(task);
  if (urgency === "late") return h("span", { class: "overdue", ...attrs }, formatDate(task.due_date), " · ", t("overdueMark"));
  if (urgency === "soon") return h("span", { class: "due-soon", ...attrs }, formatDate(task.due_date), " · ", t("taskDueSoon"));
  return h("span", attrs, formatDate(task.due_date));
}

const STATE_CLASS = { open: "item-open", done: "item-done", cancelled: "item-closed" };

function stateBadge(state, attrs = {}) {
  return h("span", { class: `badge item-state task-state ${STATE_CLASS[state] || ""}`, ...attrs }, t(`taskState_${state}`));
}

function progressBar(task, attrs = {}) {
  const value = task.progress ?? 0;
  return h("span", { class: "progress-cell", ...attrs },
    h("progress", { max: "100", value: String(value), "aria-hidden": "true" }),
    h("span", {}, `${value}%`));
}

function subtaskSummary(task) {
  if (!task.subtask_count) return t("none");
  return task.subtasks_open
    ? t("taskSubtasksOpen", task.subtasks_open, task.subtask_count)
    : t("taskSubtasksDone", task.subtask_count);
}

function taskLink(task) {
  return h("a", { href: `#/tasks/${encodeURIComponent(task.id)}`, class: "doc-link" }, task.title || t("none"));
}

/** A name the API gave, or the placeholder when the directory had none. */
function nameOr(name) {
  return name || t("unknownPerson");
}

const assigneeName = (task) => nameOr(task.assignee_name);
const giverName = (task) => nameOr(task.created_by_name);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whom a task goes to: a leader of `unitId` searches the people of the unit and of the
 * units below it (the picker the processing panel uses); anyone else gives tasks to
 * themselves. `preselect` ({user_id, name, meta}) starts chosen. Returns {element,
 * value(), controlId}: the id problems with assignee_id are shown at.
 */
function assigneeField({ prefix, unitId, choose, preselect = null, legend, hint }) {
  if (!choose) {
    const self = session.user;
    return {
      element: h("div", {
        class: "field field-wide", id: `${prefix}-self`, role: "group",
        "aria-labelledby": `${prefix}-self-label`, "aria-describedby": `${prefix}-self-hint`,
      },
      h("span", { class: "field-label", id: `${prefix}-self-label` }, legend),
      h("div", { class: "recipient", id: `${prefix}-chosen` },
        h("span", { class: "recipient-main" },
          h("span", { class: "recipient-name" }, self?.full_name || self?.username || ""),
          h("span", { class: "cell-meta" }, t("taskSelf")))),
      h("p", { class: "hint", id: `${prefix}-self-hint` }, t("taskSelfHint"))),
      value: () => me(),
      controlId: null,
    };
  }
  let chosen = preselect;
  const chosenBox = h("div", { class: "assignee-chosen", id: `${prefix}-chosen`, "aria-live": "polite" });
  const picker = assigneePicker({
    prefix, unitId, units: false, buttonLabel: t("taskChooseAssignee"),
    isTaken: (a) => chosen?.user_id === a.user_id,
    onPick: (a) => { chosen = a; draw(); },
  });
  function draw() {
    chosenBox.replaceChildren(chosen
      ? h("div", { class: "recipient" },
        h("span", { class: "recipient-main" }, h("span", { class: "recipient-name" }, chosen.name),
          h("span", { class: "cell-meta" }, chosen.meta)),
        h("button", {
          type: "button", class: "btn btn-link btn-small", "aria-label": t("removeAssignee", chosen.name),
          onclick: () => { chosen = null; draw(); picker.input.focus(); },
        }, t("remove")))
      : h("p", { class: "muted recipient-empty" }, t("taskNoAssigneeYet")));
    picker.redraw();
  }
  draw();
  return {
    element: h("fieldset", { class: "section assign-section field-wide task-assignee", id: `${prefix}-group` },
      h("legend", {}, legend, h("span", { class: "req", "aria-hidden": "true" }, " *")),
      hint ? h("p", { class: "hint section-hint" }, hint) : null,
      chosenBox, picker.element),
    value: () => chosen?.user_id || null,
    controlId: `${prefix}-search`,
  };
}

/** The document a task comes from: found by the full-text search, or given (`initial`). */
function documentField(prefix, initial = null) {
  let chosen = initial;
  let found = [];
  const input = h("input", {
    type: "search", id: `${prefix}-search`, name: "document_search", autocomplete: "off", maxlength: "200",
    "aria-controls": `${prefix}-results`, "aria-describedby": `${prefix}-search-hint`,
  });
  const button = h("button", { type: "button", class: "btn btn-secondary", id: `${prefix}-search-button` }, t("searchUnits"));
  const status = h("p", { class: "hint search-status", role: "status", "aria-live": "polite" });
  const results = h("ul", { class: "unit-results", id: `${prefix}-results` });
  const chosenBox = h("div", { class: "assignee-chosen", id: `${prefix}-chosen`, "aria-live": "polite" });
  const describe = (d) => [d.code_number ? codeOf(d) : null,
    d.arrival_number != null ? `${t("arrivalNumber")} ${d.arrival_number}` : null].filter(Boolean).join(" · ");

  function draw() {
    chosenBox.replaceChildren(chosen
      ? h("div", { class: "recipient" },
        h("span", { class: "recipient-main" }, h("span", { class: "recipient-name" }, chosen.subject || t("taskDocument")),
          chosen.meta ? h("span", { class: "cell-meta" }, chosen.meta) : null),
        h("button", {
          type: "button", class: "btn btn-link btn-small", "aria-label": t("taskRemoveDocument", chosen.subject || ""),
          onclick: () => { chosen = null; draw(); input.focus(); },
        }, t("remove")))
      : h("p", { class: "muted recipient-empty" }, t("taskNoDocument")));
    results.replaceChildren(...found.map((d) => h("li", { class: "unit-result" },
      h("span", { class: "recipient-main" }, h("span", { class: "recipient-name" }, d.subject),
        h("span", { class: "cell-meta" }, describe(d))),
      h("button", {
        type: "button", class: "btn btn-secondary btn-small", "aria-label": `${t("taskLinkDocument")}: ${d.subject}`,
        onclick: () => {
          chosen = { document_id: d.document_id, subject: d.subject, meta: describe(d) };
          found = [];
          input.value = "";
          draw();
          status.textContent = t("assigneeChosen", d.subject);
          input.focus();
        },
      }, t("taskLinkDocument")))));
  }

  liveSearch({
    input, button, status, delayMs: SEARCH_DELAY_MS,
    show: (items) => { found = items; draw(); },
    async find(q) {
      const items = (await api.search({ q, page_size: 8 })).items || [];
      return { items, message: items.length ? t("taskDocumentsFound", items.length) : t("taskNoDocumentFound") };
    },
  });
  if (initial?.document_id && !initial.subject) {
    api.getIncoming(initial.document_id).then((doc) => {
      if (chosen?.document_id !== doc.id) return;
      chosen = { document_id: doc.id, subject: doc.subject, meta: describe(doc) };
      draw();
    }).catch(() => {});
  }
  draw();
  return {
    element: h("div", { class: "field field-wide picker task-document" },
      h("label", { for: `${prefix}-search` }, t("taskDocumentOptional")),
      h("p", { class: "hint", id: `${prefix}-search-hint` }, t("taskDocumentHint")),
      h("p", { class: "field-error", id: errorSlotId(`${prefix}-search`), hidden: true }),
      chosenBox,
      h("div", { class: "search-box" }, input, button),
      status,
      results),
    value: () => chosen?.document_id || null,
  };
}

/**
 * The form giving a task (or, with `parent`, a sub-task of it): title, description,
 * assignee, deadline and, for a task of its own, the document it comes from. The
 * server's problems are shown next to their fields. `onGiven(task)` runs once given.
 */
function taskForm({ id, prefix, title, intro, unitId, parent = null, documentId = null, cancel, onGiven }) {
  const leader = !parent && leadsUnit(unitId);
  const titleInput = h("input", { type: "text", name: "title", maxlength: "500", autocomplete: "off" });
  const description = h("textarea", { name: "description", rows: "3", maxlength: "2000" });
  const due = h("input", { type: "date", name: "due_date", min: todayIso(), max: parent?.due_date || null });
  const self = session.user;
  const assignee = assigneeField({
    prefix: `${prefix}-assignee`, unitId,
    choose: Boolean(parent) || leader,
    // a sub-task starts as the caller's own; whoever splits a task may give it to others
    preselect: parent && self ? { user_id: self.id, name: self.full_name || self.username, meta: t("taskSelf") } : null,
    legend: t("taskAssignee"),
    hint: parent ? t("taskSubAssigneeHint") : t("taskAssigneeHint"),
  });
  const documentPicker = parent ? null : documentField(`${prefix}-document`, documentId ? { document_id: documentId } : null);
  const controls = {
    title: `${prefix}-title`, description: `${prefix}-description`, due_date: `${prefix}-due`,
    assignee_id: assignee.controlId, document_id: parent ? null : `${prefix}-document-search`,
  };
  const labels = {
    [`${prefix}-assignee-search`]: t("taskAssignee"), [`${prefix}-document-search`]: t("taskDocumentOptional"),
  };
  const dueHint = parent
    ? (parent.due_date ? t("taskSubDueHint", formatDate(parent.due_date)) : t("taskDueHint"))
    : t("taskDueHint");
  const { form } = stepForm({
    id, title, intro, labels,
    fields: [
      { id: controls.title, label: t("taskTitle"), control: titleInput, required: true, wide: true },
      { id: controls.description, label: t("taskDescriptionOptional"), control: description, wide: true },
      assignee.element,
      { id: controls.due_date, label: t("taskDue"), control: due, hint: dueHint },
      documentPicker?.element,
    ],
    confirmLabel: parent ? t("taskAddSubConfirm") : t("taskGiveConfirm"),
    controlFor: (key) => controls[key] || null,
    cancel,
    submit: async (errors) => {
      const assigneeId = assignee.value();
      if (!assigneeId) {
        errors.show(null, { assignee_id: t("taskAssigneeRequired") });
        return;
      }
      const body = { title: titleInput.value.trim(), assignee_id: assigneeId };
      if (parent) body.parent_id = parent.id;
      else body.unit_id = unitId;
      if (description.value.trim()) body.description = description.value.trim();
      if (due.value) body.due_date = due.value;
      const documentChosen = documentPicker?.value();
      if (documentChosen) body.document_id = documentChosen;
      onGiven(await api.createTask(body));
    },
  });
  return { form, focus: titleInput };
}

// ------------------------------------------------------------------ the list

function listHash({ view, state, page, documentId = null }) {
  const params = new URLSearchParams();
  if (view && view !== "mine") params.set("view", view);
  if (state !== "open") params.set("state", state || "all");
  if (documentId) params.set("document_id", documentId);
  if (page > 1) params.set("page", String(page));
  const text = params.toString();
  return `#/tasks${text ? `?${text}` : ""}`;
}

/**
 * A link to the document a task comes from: an incoming one, else an outgoing one;
 * its code and subject once read (`text` until then).
 */
function documentRef(documentId, text) {
  const link = documentLink(documentId, text);
  const label = (doc) => [doc.code_number ? codeOf(doc) : null, doc.subject].filter(Boolean).join(" — ");
  api.getIncoming(documentId).then((doc) => {
    link.textContent = label(doc);
  }).catch(() => api.getOutgoing(documentId).then((doc) => {
    link.href = `#/outgoing/${encodeURIComponent(documentId)}`;
    link.textContent = label(doc);
  })).catch(() => {});
  return link;
}

export function renderTasks(view, params, query) {
  const membership = currentMembership();
  const unitId = membership?.unit_id || null;
  const leader = Boolean(unitId) && leadsUnit(unitId);
  const views = VIEWS.filter(([v]) => v !== "unit" || leader);
  const current = views.some(([v]) => v === query.get("view")) ? query.get("view") : "mine";
  const stateParam = query.get("state");
  const state = stateParam === "all" ? "" : (STATES.includes(stateParam) ? stateParam : "open");
  const page = Math.max(1, Number.parseInt(query.get("page") || "1", 10) || 1);
  const documentId = UUID.test(query.get("document_id") || "") ? query.get("document_id") : null;
  const flash = takeFlash();
  const canGive = Boolean(unitId) && membership?.role !== "admin";

  // open tasks in each tab (mine and created from the list's counts, the unit's from
  // its own count) and the caller's own overdue ones
  const counts = {};
  const tabs = h("nav", { class: "tabs", "aria-label": t("taskViews") });
  const drawTabs = () => tabs.replaceChildren(...views.map(([v, key]) =>
    h("a", {
      href: listHash({ view: v, state, page: 1, documentId }), id: `tab-${v}`,
      class: ["tab", v === current && "is-active"],
      "aria-current": v === current ? "page" : null,
    }, t(key),
    counts[v] ? h("span", { class: "count" }, String(counts[v]),
      h("span", { class: "visually-hidden" }, ` ${t("taskOpenCount")}`)) : null,
    v === "mine" && counts.overdue ? h("span", { class: "count count-late", id: "tab-mine-overdue" },
      t("taskOverdueCount", counts.overdue)) : null)));
  drawTabs();

  const stateSelect = h("select", { id: "task-state-filter", name: "state" },
    STATES.map((s) => h("option", { value: s, selected: s === state }, t(`taskState_${s}`))),
    h("option", { value: "all", selected: !state }, t("allStates")));
  stateSelect.addEventListener("change", () => {
    refocus = "task-state-filter";
    navigate(listHash({ view: current, state: stateSelect.value === "all" ? "" : stateSelect.value, page: 1, documentId }));
  });
  const filters = h("div", { class: "filter-bar task-filters", role: "group", "aria-label": t("filters") },
    h("div", { class: "field" }, h("label", { for: "task-state-filter" }, t("filterState")), stateSelect),
    documentId ? h("div", { class: "task-doc-filter", id: "task-doc-filter" },
      h("span", { class: "field-label" }, t("taskFilterDocument")),
      h("span", { class: "task-doc-filter-value" },
        documentRef(documentId, t("taskOpenDocument")),
        h("a", {
          href: listHash({ view: current, state, page: 1 }), class: "btn btn-link btn-small", id: "task-doc-filter-clear",
        }, t("taskFilterDocumentClear")))) : null);

  const formSlot = h("div", { class: "task-form-slot", id: "task-new-slot" });
  const giveButton = canGive ? h("button", {
    type: "button", class: "btn btn-primary", id: "task-new", "aria-expanded": "false", "aria-controls": "task-new-slot",
  }, "+ ", leader ? t("taskGive") : t("taskGiveSelf")) : null;

  function openForm(formDocumentId = documentId) {
    const { form, focus } = taskForm({
      id: "task-new", prefix: "tn", unitId, documentId: formDocumentId,
      title: leader ? t("taskGiveTitle") : t("taskGiveSelfTitle"),
      intro: t("taskGiveIntro", membership?.unit_name || ""),
      cancel: closeForm,
      onGiven: (task) => {
        setFlash("success", task.assignee_id === me() ? t("taskAddedOwn") : t("taskGiven", assigneeName(task)));
        hooks.refreshCounts();
        navigate(`#/tasks/${encodeURIComponent(task.id)}`);
      },
    });
    formSlot.replaceChildren(form);
    giveButton?.setAttribute("aria-expanded", "true");
    focus.focus();
  }
  function closeForm() {
    formSlot.replaceChildren();
    giveButton?.setAttribute("aria-expanded", "false");
    giveButton?.focus();
  }
  giveButton?.addEventListener("click", () => (formSlot.childElementCount ? closeForm() : openForm()));

  const body = h("div", {}, loadingBox());
  add(view,
    pageHeading(t("tasksTitle"), giveButton),
    membership ? h("p", { class: "muted page-sub" }, t("tasksOf", membership.unit_name || "")) : null,
    flash ? alertBox(flash.kind, flash.text) : null,
    formSlot,
    tabs,
    filters,
    body);

  /** The unit's open tasks (its tab's count), which the list's counts do not give. */
  async function loadUnitCount() {
    if (!leader || (current === "unit" && state === "open" && !documentId)) return;
    try {
      counts.unit = (await api.listTasks({ view: "unit", unit_id: unitId, state: "open", page_size: 1 })).total;
    } catch {
      counts.unit = null;
    }
    drawTabs();
  }

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      const result = await api.listTasks({
        view: current, unit_id: current === "unit" ? unitId : null, state, document_id: documentId,
        page, page_size: PAGE_SIZE,
      });
      Object.assign(counts, {
        mine: result.counts?.mine, created: result.counts?.created, overdue: result.counts?.overdue,
      });
      if (current === "unit" && state === "open" && !documentId) counts.unit = result.total;
      drawTabs();
      draw(result);
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  function draw(result) {
    if (!result.items.length) {
      body.replaceChildren(h("p", { class: "empty" }, documentId ? t("taskEmptyForDocument") : t(`taskEmpty_${current}`)));
      return;
    }
    const columns = [
      {
        label: t("taskColTitle"), className: "col-subject", render: (task) => [
          taskLink(task),
          task.parent_id || (task.document_id && !documentId)
            ? h("span", { class: "cell-meta" }, [task.parent_id ? t("taskIsSub") : null,
              task.document_id && !documentId ? t("taskFromDocument") : null].filter(Boolean).join(" · "))
            : null],
      },
      // the caller is the assignee of every task they do, the giver of every one they gave
      current !== "created" ? { label: t("taskGiver"), render: (task) => giverName(task) } : null,
      current !== "mine" ? { label: t("taskAssignee"), render: (task) => assigneeName(task) } : null,
      { label: t("taskDue"), className: "col-date", render: (task) => deadline(task) },
      { label: t("colProgress"), render: (task) => progressBar(task) },
      { label: t("taskColSubtasks"), render: (task) => subtaskSummary(task) },
      { label: t("colState"), className: "col-badge", render: (task) => stateBadge(task.state) },
    ].filter(Boolean);
    body.replaceChildren(
      dataTable(columns, result.items, {
        caption: t("tasksTitle"),
        rowClass: (task) => ["task-row", { late: "row-late", soon: "row-soon" }[urgencyOf(task)],
          task.state !== "open" ? "row-closed" : null].filter(Boolean).join(" "),
      }),
      pager({
        page: result.page || page, pageSize: result.page_size || PAGE_SIZE, total: result.total, noun: "items",
        onPage: (p) => navigate(listHash({ view: current, state, page: p, documentId })),
      }));
  }

  load();
  loadUnitCount();
  let focus = refocus === "task-state-filter" ? stateSelect : null;
  refocus = null;
  if (canGive && query.get("new") === "1") {
    openForm(documentId);
    focus = formSlot.querySelector("#tn-title");
  }
  return { title: t("tasksTitle"), focus };
}

// ------------------------------------------------------------------ one task

export function renderTask(view, params) {
  const id = params.id;
  const heading = h("h1", { tabindex: "-1", id: "page-title" }, t("taskTitleHeading"));
  const message = h("div", { id: "task-message", class: "doc-message", tabindex: "-1" });
  const body = h("div", {}, loadingBox());
  const flash = takeFlash();
  if (flash) message.append(alertBox(flash.kind, h("p", { id: "task-done" }, flash.text)));
  view.append(
    h("p", { class: "back" }, h("a", { href: "#/tasks" }, "‹ ", t("tasksTitle"))),
    h("div", { class: "page-head" }, heading),
    message,
    body);
  let task = null;

  function say(kind, text) {
    message.replaceChildren(alertBox(kind, h("p", { id: kind === "success" ? "task-done" : "task-error" }, text)));
    message.focus();
  }

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      await draw(await api.getTask(id));
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  function row(label, value, attrs = {}) {
    const empty = value === null || value === undefined || value === "";
    return [h("dt", {}, label), h("dd", attrs, empty ? t("none") : value)];
  }

  async function draw(result) {
    task = result;
    const subtasks = task.subtasks || [];
    await resolveNames({ unitIds: [task.unit_id] });
    heading.textContent = task.title || t("taskTitleHeading");
    document.title = `${task.title || t("taskTitleHeading")} · ${t("appName")}`;
    const urgency = urgencyOf(task);
    body.replaceChildren(h("div", { class: "doc-stack" },
      h("div", { class: "doc-badges" },
        h("span", { class: "eyebrow" }, task.parent_id ? t("taskSubEyebrow") : t("taskEyebrow")),
        stateBadge(task.state, { id: "task-state" }),
        urgency === "late" ? h("span", { class: "badge task-late" }, t("overdueMark").toUpperCase()) : null,
        urgency === "soon" ? h("span", { class: "badge task-soon" }, t("taskDueSoon")) : null),
      actionsPanel(),
      h("section", { class: "panel task-info", "aria-labelledby": "task-info" },
        h("h2", { id: "task-info", class: "visually-hidden" }, t("taskInfo")),
        h("dl", { class: "detail-list" },
          row(t("taskDescription"), task.description, { id: "task-description" }),
          row(t("taskGiver"), giverName(task), { id: "task-giver" }),
          row(t("taskAssignee"), assigneeName(task), { id: "task-assignee" }),
          row(t("taskUnit"), unitName(task.unit_id)),
          row(t("taskDue"), deadline(task), { id: "task-due" }),
          row(t("colProgress"), progressBar(task), { id: "task-percent" }),
          row(t("taskLatestNote"), task.result_note, { id: "task-note" }),
          task.document_id ? row(t("taskDocument"), documentRef(task.document_id, t("taskOpenDocument")), { id: "task-document" }) : null,
          task.parent_id ? row(t("taskParent"), parentRef(task.parent_id), { id: "task-parent" }) : null,
          row(t("taskGivenAt"), formatDateTime(task.created_at)),
          task.done_at ? row(task.state === "cancelled" ? t("taskCancelledAt") : t("taskDoneAt"), formatDateTime(task.done_at)) : null)),
      subtasksPanel(subtasks),
      historyPanel()));
  }

  function parentRef(parentId) {
    const link = h("a", { href: `#/tasks/${encodeURIComponent(parentId)}`, class: "doc-link" }, t("taskOpenParent"));
    api.getTask(parentId).then((parent) => { link.textContent = parent.title; }).catch(() => {});
    return link;
  }

  // ------------------------------------------------------------ what the caller may do

  function actionsPanel() {
    if (task.state !== "open") return null;
    const holder = task.assignee_id === me();
    const giver = task.created_by === me();
    if (!holder && !giver) return null;
    const slot = h("div", { class: "task-form", id: "task-form" });
    const buttons = [];
    const button = (action, label, kind, open) => {
      const b = h("button", {
        type: "button", id: `task-action-${action}`, class: ["btn", kind],
        "aria-expanded": "false", "aria-controls": "task-form",
        onclick: () => open(b, slot, buttons),
      }, label);
      buttons.push(b);
    };
    if (holder) {
      button("progress", t("actionProgress"), "btn-secondary", openProgress);
      button("complete", t("actionComplete"), "btn-primary", openComplete);
    }
    if (giver) button("cancel", t("taskCancel"), "btn-warning", openCancel);
    return h("section", { class: "panel actions-panel", id: "task-actions", "aria-labelledby": "task-actions-title" },
      h("h2", { id: "task-actions-title" }, holder ? t("yourWork") : t("taskYouGave")),
      task.subtasks_open && holder
        ? h("p", { class: "hint", id: "task-open-subtasks" }, t("taskSubtasksBlock", task.subtasks_open)) : null,
      h("div", { class: "step-actions" }, buttons),
      slot);
  }

  function show(form, trigger, slot, buttons, focus) {
    message.replaceChildren();
    for (const b of buttons) b.setAttribute("aria-expanded", String(b === trigger));
    slot.replaceChildren(form);
    (focus || form.querySelector("input, select, textarea, button"))?.focus();
  }

  function closer(trigger, slot) {
    return () => {
      slot.replaceChildren();
      trigger.setAttribute("aria-expanded", "false");
      trigger.focus();
    };
  }

  /**
   * Send an update. Refused because the task moved on meanwhile (closed, or no longer
   * the caller's): show where it stands now. Refused while it is still open (a sub-task
   * is open): the form says why.
   */
  async function update(body, doneText) {
    let result;
    try {
      result = await api.updateTask(id, body);
    } catch (error) {
      if (error instanceof ApiError && [403, 409].includes(error.status)) {
        const fresh = await api.getTask(id).catch(() => null);
        if (!fresh || fresh.state === "open") throw error;
        await draw(fresh);
        say("error", error.message);
        return;
      }
      throw error;
    }
    await draw(await api.getTask(id).catch(() => ({ ...task, ...result })));
    say("success", doneText);
    hooks.refreshCounts();
  }

  function openProgress(trigger, slot, buttons) {
    const percent = h("input", {
      type: "number", name: "percent", min: "0", max: "100", step: "5", inputmode: "numeric",
      value: String(task.progress ?? 0),
    });
    const note = h("textarea", { name: "note", rows: "3", maxlength: "2000" });
    const { form } = stepForm({
      id: "task-progress", title: t("actionProgress"),
      fields: [
        { id: "tp-percent", label: t("percentDone"), control: percent, hint: t("percentHint") },
        { id: "tp-note", label: t("progressNote"), control: note, wide: true },
      ],
      confirmLabel: t("saveProgress"), controlFor: { percent: "tp-percent", note: "tp-note" },
      cancel: closer(trigger, slot),
      submit: async (errors) => {
        const value = percent.value.trim();
        if (value && !(/^\d{1,3}$/.test(value) && Number(value) <= 100)) {
          errors.show(null, { percent: t("percentInvalid") });
          return;
        }
        const body = {};
        if (value) body.percent = Number(value);
        if (note.value.trim()) body.note = note.value.trim();
        await update(body, t("doneProgress"));
      },
    });
    show(form, trigger, slot, buttons, percent);
  }

  function openComplete(trigger, slot, buttons) {
    const note = h("textarea", { name: "note", rows: "3", maxlength: "2000" });
    const { form } = stepForm({
      id: "task-complete", title: t("taskCompleteTitle"),
      fields: [{ id: "tc-note", label: t("taskResultOptional"), control: note, wide: true }],
      confirmLabel: t("confirmComplete"), controlFor: { note: "tc-note" },
      cancel: closer(trigger, slot),
      submit: async () => {
        const body = { complete: true };
        if (note.value.trim()) body.note = note.value.trim();
        await update(body, t("taskDoneCompleted"));
      },
    });
    show(form, trigger, slot, buttons, note);
  }

  function openCancel(trigger, slot, buttons) {
    const note = h("textarea", { name: "note", rows: "3", maxlength: "2000" });
    const { form } = stepForm({
      id: "task-cancel", title: t("taskCancelTitle"), intro: t("taskCancelIntro"),
      fields: [{ id: "tx-note", label: t("taskCancelReason"), control: note, wide: true, hint: t("taskCancelReasonHint") }],
      confirmLabel: t("taskCancelConfirm"), confirmClass: "btn-warning", controlFor: { note: "tx-note" },
      cancel: closer(trigger, slot),
      submit: async () => {
        const body = { cancel: true };
        if (note.value.trim()) body.note = note.value.trim();
        await update(body, t("taskDoneCancelled"));
      },
    });
    show(form, trigger, slot, buttons, note);
  }

  // ------------------------------------------------------------ sub-tasks

  function subtasksPanel(subtasks) {
    const canSplit = task.state === "open" && [task.assignee_id, task.created_by].includes(me());
    const slot = h("div", { class: "task-form", id: "task-sub-slot" });
    const addButton = canSplit ? h("button", {
      type: "button", class: "btn btn-secondary btn-small", id: "task-add-sub",
      "aria-expanded": "false", "aria-controls": "task-sub-slot",
    }, "+ ", t("taskAddSub")) : null;
    const close = () => {
      slot.replaceChildren();
      addButton.setAttribute("aria-expanded", "false");
      addButton.focus();
    };
    addButton?.addEventListener("click", () => {
      if (slot.childElementCount) {
        close();
        return;
      }
      const { form, focus } = taskForm({
        id: "task-sub", prefix: "ts", title: t("taskAddSubTitle"), unitId: task.unit_id, parent: task,
        cancel: close,
        onGiven: async (sub) => {
          await draw(await api.getTask(id));
          say("success", t("taskSubGiven", sub.title));
          hooks.refreshCounts();
        },
      });
      message.replaceChildren();
      slot.replaceChildren(form);
      addButton.setAttribute("aria-expanded", "true");
      focus.focus();
    });
    return h("section", { class: "panel task-subtasks", id: "task-subtasks", "aria-labelledby": "task-subtasks-title" },
      h("div", { class: "panel-head" },
        h("h2", { id: "task-subtasks-title" }, t("taskSubtasks"), subtasks.length ? ` (${subtasks.length})` : null),
        addButton),
      slot,
      subtasks.length
        ? h("ul", { class: "task-sublist", id: "task-sublist" }, subtasks.map((sub) => h("li", {
          class: ["task-sub", `task-sub-${sub.state}`, { late: "is-late", soon: "is-soon" }[urgencyOf(sub)]],
          dataset: { taskId: sub.id },
        },
        h("div", { class: "task-sub-head" }, taskLink(sub), stateBadge(sub.state)),
        h("p", { class: "task-sub-meta" },
          h("span", {}, assigneeName(sub)), " · ", t("dueShort"), " ", deadline(sub)),
        progressBar(sub))))
        : h("p", { class: "muted", id: "task-no-subtasks" }, t("taskNoSubtasks")));
  }

  // ------------------------------------------------------------ history

  /** What is said of one update besides who did it and the percent. */
  function historyDetails(update) {
    switch (update.action) {
      case "given":
        return [`${t("taskAssignee")}: ${assigneeName(task)}`,
          update.note ? `${t("taskDescription")}: ${update.note}` : null].filter(Boolean).join("; ");
      case "subtask_added":
        return update.note ? `${t("taskSubtaskNamed")}: ${update.note}` : "";
      case "completed":
        return update.note ? `${t("taskResult")}: ${update.note}` : "";
      case "cancelled":
        return update.note ? `${t("taskCancelReason")}: ${update.note}` : "";
      default:
        return update.note || "";
    }
  }

  /** The task's history as the API keeps it: every update, oldest first. */
  function historyPanel() {
    const updates = task.history || [];
    return h("section", { class: "panel", id: "task-history", "aria-labelledby": "task-history-title" },
      h("h2", { id: "task-history-title" }, t("taskHistory")),
      updates.length
        ? dataTable([
          { label: t("colTime"), className: "col-date", render: (u) => formatDateTime(u.at) },
          { label: t("taskHistBy"), render: (u) => nameOr(u.actor_name) },
          { label: t("colAction"), render: (u) => h("strong", {}, t(`taskAction_${u.action}`)) },
          {
            label: t("colProgress"), className: "col-percent",
            render: (u) => (u.percent === null || u.percent === undefined ? t("none") : `${u.percent}%`),
          },
          { label: t("colDetails"), className: "col-details", render: (u) => historyDetails(u) || t("none") },
        ], updates, { caption: t("taskHistory"), rowClass: (u) => `task-hist-${u.action}` })
        : h("p", { class: "muted" }, t("taskNoHistory")));
  }

  load();
  return { title: t("taskTitleHeading") };
}

// ------------------------------------------------------------------ on a document

const DOCUMENT_TASKS_SHOWN = 50;

/** Open ones first, then by deadline (none last), then the newest. */
function byOpenAndDeadline(a, b) {
  const open = (task) => (task.state === "open" ? 0 : 1);
  return open(a) - open(b)
    || (a.due_date ? 0 : 1) - (b.due_date ? 0 : 1)
    || String(a.due_date || "").localeCompare(String(b.due_date || ""))
    || String(b.created_at || "").localeCompare(String(a.created_at || ""));
}

/** Each task followed by its sub-tasks (those listed), each level open first, then by deadline. */
function inTreeOrder(tasks) {
  const ids = new Set(tasks.map((task) => task.id));
  const children = new Map();
  for (const task of tasks) {
    const key = ids.has(task.parent_id) ? task.parent_id : "";
    if (!children.has(key)) children.set(key, []);
    children.get(key).push(task);
  }
  const out = [];
  const walk = (key, depth) => {
    for (const task of (children.get(key) || []).sort(byOpenAndDeadline)) {
      out.push(task);
      if (depth < 8) walk(task.id, depth + 1);
    }
  };
  walk("", 0);
  return out;
}

/**
 * The "Công việc" section of an incoming document: the tasks from it that the caller
 * sees (given to them, given by them and, for a leader of the document's unit or of
 * their own, the unit's), each linking to it, and "Giao việc từ văn bản này" opening
 * the tasks form with the document chosen. Hidden while there is nothing to show and
 * the caller cannot give tasks.
 */
export function documentTasksPanel(doc) {
  const membership = currentMembership();
  const canGive = Boolean(membership?.unit_id) && membership.role !== "admin";
  const led = [...new Set([doc.unit_id, membership?.unit_id].filter((u) => u && leadsUnit(u)))];
  const count = h("span", { class: "task-doc-count", id: "doc-tasks-count" });
  const body = h("div", { class: "doc-tasks-body" }, loadingBox());
  const panel = h("section", {
    class: "panel doc-tasks", id: "doc-tasks", "aria-labelledby": "doc-tasks-title", hidden: !canGive,
  },
  h("div", { class: "panel-head" },
    h("h2", { id: "doc-tasks-title" }, t("tasksTitle"), count),
    canGive ? h("a", {
      href: `#/tasks?new=1&document_id=${encodeURIComponent(doc.id)}`, id: "doc-task-new",
      class: "btn btn-secondary btn-small",
    }, "+ ", t("taskGiveFromDocument")) : null),
  body);

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      const views = [{ view: "mine" }, { view: "created" }, ...led.map((u) => ({ view: "unit", unit_id: u }))];
      const pages = await Promise.all(views.map((v) => api.listTasks({
        ...v, document_id: doc.id, page_size: DOCUMENT_TASKS_SHOWN,
      })));
      const seen = new Map();
      for (const task of pages.flatMap((p) => p.items || [])) seen.set(task.id, task);
      const more = pages.some((p) => (p.total || 0) > (p.items || []).length);
      draw(inTreeOrder([...seen.values()]), more);
    } catch (error) {
      panel.hidden = false;
      body.replaceChildren(errorPanel(error, load));
    }
  }

  function draw(tasks, more) {
    panel.hidden = !tasks.length && !canGive;
    count.textContent = tasks.length ? ` (${tasks.length}${more ? "+" : ""})` : "";
    if (!tasks.length) {
      body.replaceChildren(h("p", { class: "muted", id: "doc-tasks-none" }, t("taskNoneFromDocument")));
      return;
    }
    const listed = new Set(tasks.map((task) => task.id));
    body.replaceChildren(...[
      h("ul", { class: "task-sublist doc-task-list", id: "doc-task-list" }, tasks.map((task) => h("li", {
        class: ["task-sub", `task-sub-${task.state}`, { late: "is-late", soon: "is-soon" }[urgencyOf(task)],
          listed.has(task.parent_id) && "doc-task-child"],
        dataset: { taskId: task.id },
      },
      h("div", { class: "task-sub-head" }, taskLink(task), stateBadge(task.state)),
      h("p", { class: "task-sub-meta" },
        task.parent_id ? h("span", {}, t("taskIsSub"), " · ") : null,
        h("span", {}, assigneeName(task)), " · ", t("dueShort"), " ", deadline(task), " · ",
        h("span", {}, `${task.progress ?? 0}%`))))),
      more ? h("p", { class: "hint" }, h("a", {
        href: listHash({ view: "created", state: "", page: 1, documentId: doc.id }),
      }, t("taskAllFromDocument"))) : null].filter(Boolean));
  }

  load();
  return panel;
}
