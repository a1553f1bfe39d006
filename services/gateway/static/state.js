// @ts-check
// What the views share: the signed-in user, the unit they are working in, the API's
// vocabulary, navigation, one-shot messages carried to the next view, and the unread
// count.

import { session } from "./session.js";

/** @typedef {{code: string, vi: string, en: string, abbreviation?: string}} Term */
/**
 * GET /api/v1/vocabulary (contract C3): each table's terms in order.
 * @typedef {{
 *   urgencies: Term[], confidentialities: Term[], roles: Term[], incoming_states: Term[],
 *   outgoing_states: Term[], outgoing_actions: Term[], processing_states: Term[],
 *   work_kinds: Term[], work_states: Term[], task_states: Term[], copy_forms: Term[],
 *   delegation_kinds: Term[], delegation_actions: Term[], document_types: Term[],
 * }} Vocabulary
 */
/** @typedef {{unit_id: string, unit_name?: string, role: string}} Membership */
/** @typedef {{kind: string, text: string, highlight?: string}} Flash */

const UNIT_KEY = "eoffice.unit";
/** @type {Set<(n: number) => void>} */
const listeners = new Set();
/** @type {Flash | null} */
let flashMessage = null;
/** @type {Vocabulary | null} */
let vocabularyRead = null;

/** Keep the vocabulary read at start. @param {Vocabulary} value */
export function setVocabulary(value) {
  vocabularyRead = value;
}

/** The API's vocabulary (null until app.js has read it). */
export function vocabulary() {
  return vocabularyRead;
}

export function user() {
  return session.user;
}

/** @returns {Membership[]} */
function memberships() {
  return session.user?.memberships || [];
}

/** The membership ({unit_id, unit_name, role}) the user is working in. @returns {Membership | null} */
export function currentMembership() {
  const all = memberships();
  if (!all.length) return null;
  const chosen = sessionStorage.getItem(UNIT_KEY);
  return all.find((m) => `${m.unit_id}|${m.role}` === chosen) || all[0];
}

/** @param {Membership} membership */
export function chooseMembership(membership) {
  sessionStorage.setItem(UNIT_KEY, `${membership.unit_id}|${membership.role}`);
}

/** Whether the user holds `role` (in `unitId`, or anywhere). @param {string} role @param {string} [unitId] */
export function hasRole(role, unitId) {
  return memberships().some((m) => m.role === role && (!unitId || m.unit_id === unitId));
}

/** The roles that lead a unit (lãnh đạo cơ quan, lãnh đạo đơn vị). */
export const LEADER_ROLES = ["head", "unit_head"];

/** Whether the user is văn thư or lãnh đạo somewhere: who sees the documents received through the axis. */
export function seesReceivedDocuments() {
  return ["clerk", ...LEADER_ROLES].some((role) => hasRole(role));
}

/** Whether the user leads `unitId`. @param {string} unitId */
export function leadsUnit(unitId) {
  return LEADER_ROLES.some((role) => hasRole(role, unitId));
}

/** The user's roles in a unit (empty when they are not a member). @param {string} unitId */
export function rolesIn(unitId) {
  return memberships().filter((m) => m.unit_id === unitId).map((m) => m.role);
}

/** @param {string} unitId */
export function isMember(unitId) {
  return rolesIn(unitId).length > 0;
}

/** Units where the user may draft outgoing documents: any role but quản trị. */
export function draftingMemberships() {
  const seen = new Set();
  return memberships().filter((m) => {
    if (m.role === "admin" || seen.has(m.unit_id)) return false;
    seen.add(m.unit_id);
    return true;
  });
}

/** Units where the user is a clerk (văn thư): where they may register documents. */
export function clerkMemberships() {
  return memberships().filter((m) => m.role === "clerk");
}

/** Go to `hash`; the same hash draws its view again. @param {string} hash */
export function navigate(hash) {
  if (location.hash === hash) {
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = hash;
  }
}

/**
 * A message to show at the top of the next view.
 * @param {string} kind success | info | error
 * @param {string} text
 * @param {{highlight?: string}} [extra]
 */
export function setFlash(kind, text, extra = {}) {
  flashMessage = { kind, text, ...extra };
}

export function takeFlash() {
  const message = flashMessage;
  flashMessage = null;
  return message;
}

// The unread-notifications count, shown in the header badge.
export const unread = {
  value: 0,
  /** @param {number} n */
  set(n) {
    this.value = n;
    for (const fn of listeners) fn(n);
  },
  /** @param {(n: number) => void} fn */
  subscribe(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
};

/** Filled in by app.js: re-read the unread and to-do counts for the header. */
export const hooks = {
  refreshCounts: () => {},
};

// What the inbox said about a document (subject, code, issuer, urgency), kept for the
// document screen: someone given a part of another unit's document may read its
// processing but not the document itself.
const SUMMARY_KEY = "eoffice.workSummaries";
const SUMMARY_LIMIT = 100;

/** @returns {Record<string, any>} */
function keptSummaries() {
  try {
    return JSON.parse(sessionStorage.getItem(SUMMARY_KEY) || "{}") || {};
  } catch {
    return {};
  }
}

/** @param {any[]} rows inbox items */
export function rememberWorkSummaries(rows) {
  const kept = keptSummaries();
  for (const row of rows) {
    kept[row.document_id] = {
      subject: row.subject, code: row.code, issuer_name: row.issuer_name,
      arrival_number: row.arrival_number, urgency: row.urgency,
    };
  }
  const ids = Object.keys(kept);
  for (const id of ids.slice(0, Math.max(0, ids.length - SUMMARY_LIMIT))) delete kept[id];
  sessionStorage.setItem(SUMMARY_KEY, JSON.stringify(kept));
}

/** @param {string} documentId */
export function workSummary(documentId) {
  return keptSummaries()[documentId] || null;
}
