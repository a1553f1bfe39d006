// What the views share: the signed-in user, the unit they are working in,
// navigation, one-shot messages carried to the next view, and the unread count.

import { session } from "./api.js";

const UNIT_KEY = "eoffice.unit";
const listeners = new Set();
let flashMessage = null;

export function user() {
  return session.user;
}

/** The membership ({unit_id, unit_name, role}) the user is working in. */
export function currentMembership() {
  const me = session.user;
  const memberships = me?.memberships || [];
  if (!memberships.length) return null;
  const chosen = sessionStorage.getItem(UNIT_KEY);
  return memberships.find((m) => `${m.unit_id}|${m.role}` === chosen) || memberships[0];
}

export function chooseMembership(membership) {
  sessionStorage.setItem(UNIT_KEY, `${membership.unit_id}|${membership.role}`);
}

export function hasRole(role, unitId) {
  const memberships = session.user?.memberships || [];
  return memberships.some((m) => m.role === role && (!unitId || m.unit_id === unitId));
}

/** The user's roles in a unit (empty when they are not a member). */
export function rolesIn(unitId) {
  return (session.user?.memberships || []).filter((m) => m.unit_id === unitId).map((m) => m.role);
}

export function isMember(unitId) {
  return rolesIn(unitId).length > 0;
}

/** Units where the user may draft outgoing documents: any role but quản trị. */
export function draftingMemberships() {
  const seen = new Set();
  return (session.user?.memberships || []).filter((m) => {
    if (m.role === "admin" || seen.has(m.unit_id)) return false;
    seen.add(m.unit_id);
    return true;
  });
}

/** Units where the user is a clerk (văn thư): where they may register documents. */
export function clerkMemberships() {
  return (session.user?.memberships || []).filter((m) => m.role === "clerk");
}

export function navigate(hash) {
  if (location.hash === hash) {
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = hash;
  }
}

/** A message to show at the top of the next view (kind: success|info|error). */
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
  set(n) {
    this.value = n;
    for (const fn of listeners) fn(n);
  },
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

export function rememberWorkSummaries(rows) {
  let kept = {};
  try {
    kept = JSON.parse(sessionStorage.getItem(SUMMARY_KEY) || "{}") || {};
  } catch {
    kept = {};
  }
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

export function workSummary(documentId) {
  try {
    return (JSON.parse(sessionStorage.getItem(SUMMARY_KEY) || "{}") || {})[documentId] || null;
  } catch {
    return null;
  }
}
