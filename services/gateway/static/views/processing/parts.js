// @ts-check
// The parts of a document's processing: who holds one, its deadline (a day, or a moment
// when the unit counts it in hours) and whether it has passed, and the tree of parts
// passed on.

import { formatDeadline, parseInstant, todayIso } from "../../dates.js";
import { personName, unitName } from "../../directory.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { session } from "../../session.js";
import { leadsUnit } from "../../state.js";

/** A part of work as the API gives it. @typedef {Record<string, any>} Item */

/** The kinds of part whose holder handles the document (and records progress). */
export const HANDLING = ["lead", "co_handler"];

/** Whether the caller holds the item: theirs, or a unit's part not passed on that they lead. @param {Item} item */
export function holdsItem(item) {
  const me = session.user;
  if (!me) return false;
  if (item.mine) return true;
  if (item.user_id) return item.user_id === me.id;
  return Boolean(item.unit_id) && leadsUnit(item.unit_id);
}

/** Who holds an item, as text. @param {Item} item */
export function holderName(item) {
  if (item.user_id) return personName(item.user_id);
  if (item.unit_id) return unitName(item.unit_id);
  return t("none");
}

/** Whether an open part's deadline has passed: the moment for a deadline in hours, else the day. @param {Item} item */
export function isLate({ due_date: dueDate, due_at: dueAt, state }) {
  if (!["open", "forwarded"].includes(state)) return false;
  if (dueAt) return Date.now() > parseInstant(dueAt).getTime();
  return Boolean(dueDate) && dueDate < todayIso();
}

/** A deadline cell: the day or the moment, marked when it has passed. @param {Item} item */
export function deadlineText(item) {
  if (!item.due_date && !item.due_at) return t("none");
  const text = formatDeadline(item.due_date, item.due_at);
  const shown = item.due_at ? h("span", { class: "due-at", title: t("dueAtHint") }, text) : text;
  return isLate(item) ? h("span", { class: "overdue" }, shown, " · ", t("overdueMark")) : shown;
}

/** Items in the order of the tree: each part followed by the parts passed on from it. @param {Item[]} items */
export function ordered(items) {
  const byParent = new Map();
  for (const item of items) {
    const key = item.parent_id || "";
    if (!byParent.has(key)) byParent.set(key, []);
    byParent.get(key).push(item);
  }
  const ids = new Set(items.map((i) => i.id));
  /** @type {{item: Item, depth: number}[]} */
  const out = [];
  /** @param {string} parentKey @param {number} depth */
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

/** A handling part's progress bar. @param {Item} item */
export function progressCell(item) {
  if (!HANDLING.includes(item.kind)) return t("none");
  const value = item.progress ?? (item.state === "done" ? 100 : 0);
  return h("span", { class: "progress-cell" },
    h("progress", { max: "100", value: String(value), "aria-hidden": "true" }),
    h("span", {}, `${value}%`));
}
