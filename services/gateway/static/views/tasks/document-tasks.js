// @ts-check
// The "Công việc" section of an incoming document: the tasks from it that the caller
// sees (given to them, given by them and, for a leader of the document's unit or of
// their own, the unit's), each linking to it, and "Giao việc từ văn bản này" opening
// the tasks form with the document chosen. Hidden while there is nothing to show and
// the caller cannot give tasks.

import { api } from "../../api.js";
import { h, loadingBox } from "../../dom.js";
import { t } from "../../i18n.js";
import { currentMembership, leadsUnit } from "../../state.js";
import { errorPanel } from "../../widgets.js";
import { SUB_URGENCY_CLASS, assigneeName, deadline, listHash, stateBadge, taskLink, urgencyOf } from "./common.js";

/** @typedef {import("./common.js").Task} Task */

const DOCUMENT_TASKS_SHOWN = 50;

/** Open ones first, then by deadline (none last), then the newest. @param {Task} a @param {Task} b */
function byOpenAndDeadline(a, b) {
  /** @param {Task} task */
  const open = (task) => (task.state === "open" ? 0 : 1);
  return open(a) - open(b)
    || (a.due_date ? 0 : 1) - (b.due_date ? 0 : 1)
    || String(a.due_date || "").localeCompare(String(b.due_date || ""))
    || String(b.created_at || "").localeCompare(String(a.created_at || ""));
}

/** Each task followed by its sub-tasks (those listed), each level open first, then by deadline. @param {Task[]} tasks */
function inTreeOrder(tasks) {
  const ids = new Set(tasks.map((task) => task.id));
  const children = new Map();
  for (const task of tasks) {
    const key = ids.has(task.parent_id) ? task.parent_id : "";
    if (!children.has(key)) children.set(key, []);
    children.get(key).push(task);
  }
  /** @type {Task[]} */
  const out = [];
  /** @param {string} key @param {number} depth */
  const walk = (key, depth) => {
    for (const task of (children.get(key) || []).sort(byOpenAndDeadline)) {
      out.push(task);
      if (depth < 8) walk(task.id, depth + 1);
    }
  };
  walk("", 0);
  return out;
}

/** @param {Task[]} tasks @param {string} documentId @param {boolean} more */
function taskList(tasks, documentId, more) {
  const listed = new Set(tasks.map((task) => task.id));
  return [
    h("ul", { class: "task-sublist doc-task-list", id: "doc-task-list" }, tasks.map((task) => h("li", {
      class: ["task-sub", `task-sub-${task.state}`, SUB_URGENCY_CLASS[urgencyOf(task)],
        listed.has(task.parent_id) && "doc-task-child"],
      dataset: { taskId: task.id },
    },
    h("div", { class: "task-sub-head" }, taskLink(task), stateBadge(task.state)),
    h("p", { class: "task-sub-meta" },
      task.parent_id ? h("span", {}, t("taskIsSub"), " · ") : null,
      h("span", {}, assigneeName(task)), " · ", t("dueShort"), " ", deadline(task), " · ",
      h("span", {}, `${task.progress ?? 0}%`))))),
    more ? h("p", { class: "hint" }, h("a", {
      href: listHash({ view: "created", state: "", page: 1, documentId }),
    }, t("taskAllFromDocument"))) : null].filter(Boolean);
}

/** @param {Record<string, any>} doc an incoming document */
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

  /** @param {Task[]} tasks @param {boolean} more */
  function draw(tasks, more) {
    panel.hidden = !tasks.length && !canGive;
    count.textContent = tasks.length ? ` (${tasks.length}${more ? "+" : ""})` : "";
    body.replaceChildren(...(tasks.length ? taskList(tasks, doc.id, more)
      : [h("p", { class: "muted", id: "doc-tasks-none" }, t("taskNoneFromDocument"))]));
  }

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

  load();
  return panel;
}
