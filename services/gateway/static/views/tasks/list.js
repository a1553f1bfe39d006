// @ts-check
// Công việc: the caller's tasks (tabs: to do, given by me and, for a unit's leaders, the
// unit's; with the number still open, and how many of mine are overdue), filtered by
// state and, with ?document_id=, by the document they come from; open ones first, the
// nearest deadline first, overdue ones marked. "Giao việc" gives a task (a leader to
// anyone of the unit or a unit below it, anyone else to themselves).

import { api } from "../../api.js";
import { add, alertBox, h, loadingBox, pageHeading } from "../../dom.js";
import { t } from "../../i18n.js";
import { codes } from "../../labels.js";
import { currentMembership, hooks, leadsUnit, navigate, setFlash, takeFlash } from "../../state.js";
import { errorPanel } from "../../widgets.js";
import { assigneeName, me } from "./common.js";
import { listFilters, listTabs } from "./list-filters.js";
import { tasksTable } from "./list-table.js";
import { taskForm } from "./task-form.js";

const VIEWS = [["mine", "taskViewMine"], ["created", "taskViewCreated"], ["unit", "taskViewUnit"]];
const PAGE_SIZE = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The filter that was just changed: focus returns to it when the list is drawn again.
let refocus = null;

/**
 * What the list shows, from the address and the unit the caller works in.
 * @typedef {{unitId: string | null, unitName: string, leader: boolean, views: string[][], current: string,
 *   state: string, page: number, documentId: string | null, canGive: boolean}} ListChoice
 */

/** @param {URLSearchParams} query @returns {ListChoice} */
function choiceOf(query) {
  const membership = currentMembership();
  const unitId = membership?.unit_id || null;
  const leader = Boolean(unitId) && leadsUnit(unitId);
  const views = VIEWS.filter(([v]) => v !== "unit" || leader);
  const stateParam = query.get("state");
  return {
    unitId, unitName: membership?.unit_name || "", leader, views,
    current: views.some(([v]) => v === query.get("view")) ? query.get("view") : "mine",
    state: stateParam === "all" ? "" : (codes("task_states").includes(stateParam) ? stateParam : "open"),
    page: Math.max(1, Number.parseInt(query.get("page") || "1", 10) || 1),
    documentId: UUID.test(query.get("document_id") || "") ? query.get("document_id") : null,
    canGive: Boolean(unitId) && membership?.role !== "admin",
  };
}

/** "Giao việc": its button and the slot its form opens in. @param {ListChoice} choice */
function giveTask(choice) {
  const slot = h("div", { class: "task-form-slot", id: "task-new-slot" });
  const button = choice.canGive ? h("button", {
    type: "button", class: "btn btn-primary", id: "task-new", "aria-expanded": "false", "aria-controls": "task-new-slot",
  }, "+ ", choice.leader ? t("taskGive") : t("taskGiveSelf")) : null;
  function close() {
    slot.replaceChildren();
    button?.setAttribute("aria-expanded", "false");
    button?.focus();
  }
  function open(documentId = choice.documentId) {
    const { form, focus } = taskForm({
      id: "task-new", prefix: "tn", unitId: choice.unitId, documentId,
      title: choice.leader ? t("taskGiveTitle") : t("taskGiveSelfTitle"),
      intro: t("taskGiveIntro", choice.unitName),
      cancel: close,
      onGiven: (task) => {
        setFlash("success", task.assignee_id === me() ? t("taskAddedOwn") : t("taskGiven", assigneeName(task)));
        hooks.refreshCounts();
        navigate(`#/tasks/${encodeURIComponent(task.id)}`);
      },
    });
    slot.replaceChildren(form);
    button?.setAttribute("aria-expanded", "true");
    focus.focus();
  }
  button?.addEventListener("click", () => (slot.childElementCount ? close() : open()));
  return { slot, button, open };
}

/**
 * Read and draw the list; the tab counts come with it (the unit's open tasks, which
 * they do not give, are read apart).
 * @param {ListChoice} choice @param {HTMLElement} body @param {{counts: Record<string, any>, draw: () => void}} tabs
 */
function listLoader(choice, body, tabs) {
  const { current, state, documentId, unitId, page } = choice;
  const unitTabIsList = current === "unit" && state === "open" && !documentId;
  async function loadUnitCount() {
    if (!choice.leader || unitTabIsList) return;
    try {
      tabs.counts.unit = (await api.listTasks({ view: "unit", unit_id: unitId, state: "open", page_size: 1 })).total;
    } catch {
      tabs.counts.unit = null;
    }
    tabs.draw();
  }
  async function load() {
    body.replaceChildren(loadingBox());
    try {
      const result = await api.listTasks({
        view: current, unit_id: current === "unit" ? unitId : null, state, document_id: documentId,
        page, page_size: PAGE_SIZE,
      });
      const { mine, created, overdue } = result.counts || {};
      Object.assign(tabs.counts, { mine, created, overdue });
      if (unitTabIsList) tabs.counts.unit = result.total;
      tabs.draw();
      body.replaceChildren(...tasksTable(result, choice, PAGE_SIZE));
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }
  return { load, loadUnitCount };
}

/** #/tasks. @param {HTMLElement} view @param {Record<string, string>} params @param {URLSearchParams} query */
export function renderTasks(view, params, query) {
  const choice = choiceOf(query);
  const flash = takeFlash();
  const tabs = listTabs(choice);
  const filters = listFilters(choice, () => { refocus = "task-state-filter"; });
  const give = giveTask(choice);
  const body = h("div", {}, loadingBox());
  add(view,
    pageHeading(t("tasksTitle"), give.button),
    choice.unitId ? h("p", { class: "muted page-sub" }, t("tasksOf", choice.unitName)) : null,
    flash ? alertBox(flash.kind, flash.text) : null,
    give.slot,
    tabs.element,
    filters.element,
    body);
  const { load, loadUnitCount } = listLoader(choice, body, tabs);
  load();
  loadUnitCount();
  let focus = refocus === "task-state-filter" ? filters.stateSelect : null;
  refocus = null;
  if (choice.canGive && query.get("new") === "1") {
    give.open(choice.documentId);
    focus = give.slot.querySelector("#tn-title");
  }
  return { title: t("tasksTitle"), focus };
}
