// @ts-check
// What the screens of liên thông share: who sees the received documents (văn thư and
// lãnh đạo of the unit they are addressed to), their states, the badge of a package's
// XML signature, the number and the date a received document gives, and the unit names.

import { h } from "../../dom.js";
import { lang, t } from "../../i18n.js";
import { LEADER_ROLES, user } from "../../state.js";

/**
 * A document another agency sent (the exchange's received_out); business_type 0 new,
 * 2 an update, 3 a replacement.
 * @typedef {{
 *   id: string, document_id: string, business_type: number, from: {organ_id: string, name: string}, to_organ_id: string,
 *   unit_id: string, fields: Record<string, any>, files: ReceivedFile[],
 *   package_signature: PackageSignature | null, state: string, reason: string | null,
 *   incoming_id: string | null, replaces_id: string | null, recall_request: Record<string, any> | null,
 *   answered: string[], received_at: string, updated_at?: string, incoming?: Record<string, any>,
 *   request?: "recall" | "update" | null,
 * }} Received
 */
/**
 * A file of its package; `signatures` is signing's report (null until it is checked).
 * @typedef {{file_id: string, name: string, content_type: string | null, size: number, sha256: string,
 *   signatures?: {status: string, summary: {vi: string, en: string} | null} | null}} ReceivedFile
 */
/** @typedef {{status: string, subject?: string | null, vi?: string, en?: string}} PackageSignature */

/** The states of a received document; the list's tabs are the first four, all, and the
 * recalls and updates waiting for an answer (from other agencies and from this system's units). */
export const RECEIVED_STATES = ["waiting", "accepted", "returned", "recalled", "replaced"];
export const TABS = ["waiting", "accepted", "returned", "recalled", "all", "requests"];
const READER_ROLES = ["clerk", ...LEADER_ROLES];
const SIGNATURE_STATUSES = ["valid", "invalid", "absent", "unverifiable"];

/** The memberships in which the user sees received documents (văn thư, lãnh đạo). */
export function readerMemberships() {
  /** @type {{unit_id: string, unit_name?: string, role: string}[]} */
  const memberships = user()?.memberships || [];
  return memberships.filter((m) => READER_ROLES.includes(m.role));
}

/** The name of one of the user's units (the received document's addressee). @param {string} unitId */
export function unitNameOf(unitId) {
  return readerMemberships().find((m) => m.unit_id === unitId)?.unit_name || t("none");
}

/** A received document's state as a badge. @param {string} state @param {Record<string, any>} [attrs] */
export function receivedStateBadge(state, attrs = {}) {
  const known = RECEIVED_STATES.includes(state) ? state : "waiting";
  return h("span", { class: `badge state received-${known}`, ...attrs }, t(`received_${known}`));
}

/**
 * The badge of the package's XML signature (valid, invalid, absent, unverifiable), with
 * what the exchange said of it on hover.
 * @param {PackageSignature | null | undefined} signature @param {Record<string, any>} [attrs]
 */
export function packageSignatureBadge(signature, attrs = {}) {
  const status = signature && SIGNATURE_STATUSES.includes(signature.status) ? signature.status : "unverifiable";
  const css = { valid: "sig-valid", invalid: "sig-invalid", absent: "sig-unsigned", unverifiable: "sig-warning" }[status];
  return h("span", {
    class: `badge sig-badge ${css}`, title: signature ? signature[lang()] || signature.vi || null : null,
    dataset: { status }, ...attrs,
  }, t(`pkgSig_${status}`));
}

/** Whether its sender asked for it back and nobody answered yet. @param {Received} r */
export function recallWaiting(r) {
  return Boolean(r.recall_request && !r.recall_request.answer && r.state !== "recalled");
}

/** Số, ký hiệu as the package gives them ("12/QĐ-STC"), or "—". @param {Record<string, any>} fields */
export function receivedCode(fields) {
  const parts = [fields.code_number, fields.code_notation].filter(Boolean);
  return parts.length ? parts.join("/") : t("none");
}

/** The date of issue: the one kept for the register, else the package's own. @param {Record<string, any>} fields */
export function receivedIssuedDate(fields) {
  return fields.issued_date || fields.promulgation_date || null;
}

/** The list of one tab. @param {string} state @param {number} [page] */
export function listHash(state, page = 1) {
  const params = new URLSearchParams();
  if (state && state !== "waiting") params.set("state", state);
  if (page > 1) params.set("page", String(page));
  const query = params.toString();
  return `#/exchange/received${query ? `?${query}` : ""}`;
}
