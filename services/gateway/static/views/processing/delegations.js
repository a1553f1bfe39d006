// @ts-check
// The delegations (ủy quyền) the caller received, for saying whom they act for
// ("TL. thay Trần Văn Minh"); the API says what they may do (allowed_actions).

import { api } from "../../api.js";
import { rememberPeople } from "../../directory.js";
import { t } from "../../i18n.js";
import { session } from "../../session.js";

/** @typedef {Record<string, any>} Delegation */

const HELD_TTL_MS = 30_000;
/** @type {{owner: string, at: number, promise: Promise<Delegation[]>} | null} */
let held = null;

/** The delegations in force today that the caller received, read once and kept briefly. @returns {Promise<Delegation[]>} */
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
 * The held delegation to take `action` (assign | approve) in `unitId` — from
 * `fromUserId` if given, on a document of `documentType` — or null.
 * @param {Delegation[]} delegations
 * @param {{action: string, unitId: string, fromUserId?: string | null, documentType?: string}} wanted
 */
export function delegationFor(delegations, { action, unitId, fromUserId = null, documentType = "" }) {
  return (delegations || []).find((d) => (d.actions || []).includes(action) && d.unit_id === unitId
    && (!fromUserId || d.from_user_id === fromUserId)
    && (!d.document_types?.length || d.document_types.includes(documentType))) || null;
}

/** "TL. thay Trần Văn Minh": whom the caller acts for under a delegation. @param {Delegation} delegation */
export function actingFor(delegation) {
  return t("actingFor", delegation.kind, delegation.from_name || t("unknownPerson"));
}
