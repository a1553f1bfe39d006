// @ts-check
// The API's vocabulary (GET /api/v1/vocabulary, read once at start and kept by
// state.js): the codes of urgencies, confidentialities, roles, states, kinds of work and
// document types, in order, and their names in the interface's language.

import { hasMessage, lang, t } from "./i18n.js";
import { vocabulary } from "./state.js";

/** @typedef {import("./state.js").Term} Term */
/** @typedef {import("./state.js").Vocabulary} Vocabulary */

/** The terms of one table, in the API's order. @param {keyof Vocabulary} table @returns {Term[]} */
export function terms(table) {
  return vocabulary()?.[table] || [];
}

/** The codes of one table, in order. @param {keyof Vocabulary} table @returns {string[]} */
export function codes(table) {
  return terms(table).map((term) => term.code);
}

/**
 * A code's name in the interface's language; `fallback` (else the code) when the
 * vocabulary does not know it.
 * @param {keyof Vocabulary} table
 * @param {string | null | undefined} code
 * @param {string | null} [fallback]
 */
export function nameOf(table, code, fallback = null) {
  const term = terms(table).find((x) => x.code === code);
  return term ? term[lang()] : (fallback || code || "");
}

/** @param {string | null | undefined} role */
export const roleLabel = (role) => nameOf("roles", role);
/** @param {string | null | undefined} urgency */
export const urgencyLabel = (urgency) => nameOf("urgencies", urgency);
/** @param {string | null | undefined} value */
export const confidentialityLabel = (value) => nameOf("confidentialities", value);
/** A kind of work (chủ trì, phối hợp, để biết, phân công, duyệt). @param {string | null | undefined} kind */
export const kindLabel = (kind) => nameOf("work_kinds", kind);
/** The state of a document's processing. @param {string | null | undefined} state */
export const processingStateLabel = (state) => nameOf("processing_states", state);
/** A task's state. @param {string | null | undefined} state */
export const taskStateLabel = (state) => nameOf("task_states", state);
/** An incoming document's state. @param {string | null | undefined} state */
export const incomingStateLabel = (state) => (state ? nameOf("incoming_states", state) : t("none"));

/** How urgent a code is: 0 for the lowest (normal). @param {string | null | undefined} urgency */
export function urgencyRank(urgency) {
  return Math.max(0, codes("urgencies").indexOf(urgency || ""));
}

/** The urgencies above the lowest one (khẩn, thượng khẩn, hỏa tốc). */
export function urgentCodes() {
  return codes("urgencies").slice(1);
}

/**
 * An outgoing document's state; the server's Vietnamese name (`fallback`) when given,
 * in Vietnamese.
 * @param {string | null | undefined} state
 * @param {string | null} [fallback]
 */
export function outgoingStateLabel(state, fallback = null) {
  if (lang() === "vi" && fallback) return fallback;
  return nameOf("outgoing_states", state, fallback);
}

/** A document type's name; `fallback` when the type is new to the vocabulary. @param {string | null | undefined} key @param {string | null} [fallback] */
export function documentTypeLabel(key, fallback = null) {
  return nameOf("document_types", key, fallback);
}

/**
 * A part's state, in the words of its kind where they differ (đã đọc, chờ duyệt…).
 * @param {string | null | undefined} kind
 * @param {string | null | undefined} state
 */
export function itemStateLabel(kind, state) {
  const key = `item_${kind}_${state}`;
  return hasMessage(key) ? t(key) : nameOf("work_states", state);
}
