// @ts-check
// The approval chains of the unit a leader works in, for outgoing drafts: per document
// type or for any type, ordered steps each approved by all or any of its approvers,
// chosen from the unit's people. Each is listed with "edit" and "remove"; the editor
// below adds or changes one.

import { api } from "../../api.js";
import { unitMembers } from "../../directory.js";
import { alertBox, h, loadingBox } from "../../dom.js";
import { t } from "../../i18n.js";
import { errorPanel } from "../../widgets.js";
import { chainEditor, typeName } from "./chain-editor.js";

/**
 * The panel's state and behaviour, as the editor uses it.
 * @typedef {{unitId: string, chains: any[], people: any[], draw: (editing?: string | null) => void,
 *   say: (kind: string, ...children: import("../../dom.js").Child[]) => void}} ChainsPanel
 */

/** @param {ChainsPanel} state @param {any} chain */
async function removeChain(state, chain) {
  try {
    await api.setApprovalChain({ unit_id: state.unitId, document_type: chain.document_type || "", steps: [] });
    state.chains = state.chains.filter((c) => c !== chain);
    state.draw();
    state.say("success", h("p", { id: "chain-saved" }, t("chainRemoved", typeName(chain.document_type))));
  } catch (error) {
    state.say("error", h("p", {}, error.message));
  }
}

/** @param {ChainsPanel} state */
function chainList(state) {
  /** @param {string} id */
  const personLabel = (id) => state.people.find((x) => x.id === id)?.full_name || t("unknownPerson");
  if (!state.chains.length) return h("p", { class: "muted", id: "chain-list-empty" }, t("noChains"));
  return h("ul", { class: "chain-list", id: "chain-list" }, state.chains.map((chain) => h("li", {
    class: "chain-card", dataset: { type: chain.document_type || "" },
  },
  h("div", { class: "chain-card-main" },
    h("h3", { class: "subhead" }, typeName(chain.document_type)),
    h("ol", { class: "chain-summary" }, chain.steps.map((step) => h("li", {},
      step.approvers.map(personLabel).join(", "),
      h("span", { class: "muted" }, ` · ${t(`mode_${step.mode || "all"}`)}`))))),
  h("div", { class: "chain-card-actions" },
    h("button", {
      type: "button", class: "btn btn-secondary btn-small", "aria-label": t("editChainLabel", typeName(chain.document_type)),
      onclick: () => state.draw(chain.document_type || ""),
    }, t("edit")),
    h("button", {
      type: "button", class: "btn btn-link btn-small", "aria-label": t("removeChainLabel", typeName(chain.document_type)),
      onclick: () => removeChain(state, chain),
    }, t("removeChain"))))));
}

/** @param {{unit_id: string, unit_name?: string}} membership */
export function chainsPanel(membership) {
  const body = h("div", {}, loadingBox());
  const message = h("div", { id: "chain-message", class: "doc-message", tabindex: "-1" });
  const panel = h("section", { class: "panel", id: "approval-chains", "aria-labelledby": "approval-chains-title" },
    h("h2", { id: "approval-chains-title" }, t("chainsTitle")),
    h("p", { class: "muted" }, t("chainsIntro", membership.unit_name || "")),
    message,
    body);
  /** @type {ChainsPanel} */
  const state = {
    unitId: membership.unit_id, chains: [], people: [],
    draw: (editing = null) => body.replaceChildren(chainList(state), chainEditor(state, editing)),
    say(kind, ...children) {
      message.replaceChildren(alertBox(kind, ...children));
      message.focus();
    },
  };

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      const [result, members] = await Promise.all([api.approvalChains(state.unitId), unitMembers(state.unitId)]);
      state.chains = result.items || [];
      state.people = members.filter((p) => (p.memberships || []).some((m) => m.unit_id === state.unitId && m.role !== "admin"));
      state.draw();
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  load();
  return panel;
}
