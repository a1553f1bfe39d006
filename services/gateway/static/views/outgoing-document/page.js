// @ts-check
// One văn bản đi: its particulars and state, its approval chain when its unit has one,
// the steps the caller may take now (the API's allowed_actions), its recipients (with
// the incoming documents issuing delivered), its digital signatures and the verification
// of its PDFs, what each recipient outside the system answered through the axis (liên
// thông), its versions and a form for the next one
// while it may be edited, copies for the clerk once it is numbered, and its processing
// history with PDF/XLSX exports.

import { api } from "../../api.js";
import { alertBox, h, loadingBox } from "../../dom.js";
import { t } from "../../i18n.js";
import { hooks, rolesIn, takeFlash } from "../../state.js";
import { errorPanel } from "../../widgets.js";
import { copyPanel } from "../copy.js";
import { approvalPanel } from "./approval.js";
import { badges, detailsLayout, stateReason } from "./details.js";
import { exchangePanel } from "./exchange.js";
import { recipientsPanel } from "./recipients.js";
import { outgoingSignaturesPanel } from "./signing.js";
import { stepsPanel } from "./steps.js";
import { versionsAndHistory } from "./versions.js";

/** @typedef {import("./steps.js").StepHost} StepHost */

const CHAIN_SETTLE_MS = 1500;   // workflow opens the chain from documents' event

/** #/outgoing/{id}. @param {HTMLElement} view @param {Record<string, string>} params */
export function renderOutgoingDocument(view, params) {
  const id = params.id;
  const heading = h("h1", { tabindex: "-1", id: "page-title" }, t("outgoingDocTitle"));
  const message = h("div", { id: "doc-message", class: "doc-message", tabindex: "-1" });
  const body = h("div", {}, loadingBox());
  const flash = takeFlash();
  if (flash) message.append(alertBox(flash.kind, flash.text));
  view.append(
    h("p", { class: "back" }, h("a", { href: "#/outgoing" }, "‹ ", t("outgoingTitle"))),
    h("div", { class: "page-head" }, heading),
    message,
    body);
  // The draft's approval chain (workflow), when its unit has one: null otherwise.
  /** @type {Record<string, any> | null} */
  let processing = null;

  async function readProcessing() {
    try {
      const result = await api.outgoingProcessing(id);
      processing = result?.state ? result : null;
    } catch {
      processing = null;
    }
    return processing;
  }

  /** @type {StepHost} */
  const host = {
    say(kind, ...children) {
      message.replaceChildren(alertBox(kind, ...children));
      message.focus();
    },
    draw,
    /** After a step: the chain may have started (submit) or moved; read it again. */
    async refreshChain({ later = false }) {
      const before = JSON.stringify(processing);
      if (later) await new Promise((resolve) => { setTimeout(resolve, CHAIN_SETTLE_MS); });
      if (!body.isConnected) return;
      await readProcessing();
      if (JSON.stringify(processing) === before || !body.isConnected) return;
      api.getOutgoing(id).then(draw).catch(() => { /* the next visit shows it */ });
    },
  };

  /** The chain's step taken: read the document again and say so. @param {Record<string, any>} doc */
  const onChainStep = (doc) => async (/** @type {any} */ result, /** @type {string} */ text) => {
    processing = result?.state ? result : processing;
    draw(await api.getOutgoing(doc.id).catch(() => doc));
    host.say("success", h("p", { id: "step-done" }, text));
    hooks.refreshCounts();
  };

  /** @param {Record<string, any>} doc */
  function draw(doc) {
    heading.textContent = doc.subject || t("outgoingDocTitle");
    document.title = `${doc.subject || t("outgoingDocTitle")} · ${t("appName")}`;
    body.replaceChildren(h("div", { class: "doc-stack" },
      badges(doc),
      stateReason(doc),
      processing ? approvalPanel({ doc, processing, onDone: onChainStep(doc) }) : null,
      stepsPanel(host, doc),
      detailsLayout(doc),
      outgoingSignaturesPanel(doc),
      recipientsPanel(doc),
      exchangePanel(doc),
      ...versionsAndHistory(host, doc),
      rolesIn(doc.unit_id).includes("clerk") && doc.code_number ? copyPanel(doc) : null));
  }

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      const [doc] = await Promise.all([api.getOutgoing(id), readProcessing()]);
      draw(doc);
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }
  load();
  return { title: t("outgoingDocTitle") };
}
