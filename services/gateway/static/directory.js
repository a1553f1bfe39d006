// @ts-check
// Names of units and people for the workflow screens, fetched once and kept for the
// signed-in user: units from /units/{id} (the directory is public to every user),
// people from /users?unit_id= of the caller's own units (the only ones the API lists)
// and, for anyone else named on a document, from its history (actor and assignee names).

import { api } from "./api.js";
import { session } from "./session.js";
import { t } from "./i18n.js";

let owner = null;
let units = new Map();      // unit id → Promise<unit | null>
let members = new Map();    // unit id → Promise<[user]>
let people = new Map();     // user id → {full_name, position}
const unitNames = new Map(); // unit id → name (public, kept across users)

function reset() {
  const me = session.user;
  if (owner === (me?.id || null)) return;
  owner = me?.id || null;
  units = new Map();
  members = new Map();
  people = new Map();
  if (me) people.set(me.id, { full_name: me.full_name || me.username, position: me.position });
}

/** A unit ({id, name, parent_id, …}), or null when it cannot be read. */
export function unitInfo(unitId) {
  reset();
  if (!unitId) return Promise.resolve(null);
  if (!units.has(unitId)) units.set(unitId, api.getUnit(unitId).catch(() => null));
  return units.get(unitId);
}

/** The unit's name once unitInfo() has been awaited (else a placeholder). */
export function unitName(unitId) {
  return unitNames.get(unitId) || t("unknownUnit");
}

async function nameUnit(unitId) {
  const unit = await unitInfo(unitId);
  if (unit?.name) unitNames.set(unitId, unit.name);
  return unit;
}

/** The people of a unit the caller belongs to ([] when the API refuses). */
export function unitMembers(unitId) {
  reset();
  if (!members.has(unitId)) {
    members.set(unitId, api.listUsers({ unit_id: unitId, page_size: 200 }).then((page) => {
      const items = page?.items || [];
      for (const user of items) people.set(user.id, { full_name: user.full_name, position: user.position });
      return items;
    }).catch(() => []));
  }
  return members.get(unitId);
}

/** The people of a unit and of the units below it (for its leaders: whom they delegate
 * to or give work); [] when the caller may not list them. */
export function peopleBelow(unitId) {
  reset();
  const key = `below:${unitId}`;
  if (!members.has(key)) {
    members.set(key, api.listUsers({ unit_id: unitId, below: "true", page_size: 200 }).then((page) => {
      const items = page?.items || [];
      for (const user of items) people.set(user.id, { full_name: user.full_name, position: user.position });
      return items;
    }).catch(() => []));
  }
  return members.get(key);
}

/** Remember names read elsewhere: {user id: full name}. */
export function rememberPeople(names) {
  reset();
  for (const [id, name] of Object.entries(names || {})) {
    if (id && name && !people.has(id) && name !== id) people.set(id, { full_name: name });
  }
}

/** Names found in a document's history: actors, assignees and the people an assignment names. */
export function namesFromHistory(events) {
  const names = {};
  for (const event of events || []) {
    if (event.actor_id && event.actor_name) names[event.actor_id] = event.actor_name;
    const details = event.details || {};
    if (details.assignee_id && details.assignee_name) names[details.assignee_id] = details.assignee_name;
    for (const part of [details.lead, ...(details.co_handlers || []), ...(details.for_info || [])]) {
      if (part?.user_id && part.name) names[part.user_id] = part.name;
      if (part?.unit_id && part.name) unitNames.set(part.unit_id, part.name);
    }
  }
  return names;
}

/** The person's name (and position), or a placeholder when it is not known. */
export function personName(userId, { withPosition = false } = {}) {
  reset();
  const person = people.get(userId);
  if (!person) return t("unknownPerson");
  return withPosition && person.position ? `${person.full_name} (${person.position})` : person.full_name;
}

export function knowsPerson(userId) {
  reset();
  return people.has(userId);
}

/**
 * Make the names of `unitIds` and `userIds` available to unitName()/personName():
 * units from the directory, people from the caller's units and, for those still
 * unknown, from the document's history (when `documentId` is given and readable).
 */
export async function resolveNames({ unitIds = [], userIds = [], documentId = null } = {}) {
  reset();
  const mine = [...new Set((session.user?.memberships || []).map((m) => m.unit_id))];
  await Promise.all([
    ...[...new Set(unitIds.filter(Boolean))].map(nameUnit),
    ...(userIds.some((id) => id && !people.has(id)) ? mine.map(unitMembers) : []),
  ]);
  if (documentId && userIds.some((id) => id && !people.has(id))) {
    try {
      rememberPeople(namesFromHistory((await api.history(documentId)).events));
    } catch {
      /* another unit's document: its history is not readable */
    }
  }
}

/** Whether `unitId` is `rootId` or below it (walking up the parents, cached). */
export async function isWithin(unitId, rootId) {
  let current = unitId;
  for (let depth = 0; current && depth < 8; depth += 1) {
    if (current === rootId) return true;
    const unit = await nameUnit(current);
    current = unit?.parent_id || null;
  }
  return false;
}
