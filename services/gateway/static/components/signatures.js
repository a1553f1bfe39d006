// @ts-check
// The verification of one PDF's digital signatures (GET /files/{id}/signatures), as the
// signing service reported it: an overall badge (valid, warning, invalid, unsigned) with
// its summary in the interface's language, then each signature — who signed, for which
// organisation, the issuer of the certificate, when, its timestamp, whether the signed
// content is intact, whether the chain is trusted, revocation — and each problem. The
// check runs when the file is stored: while it is pending the panel asks again every
// second (about 30 s at most, and never once the panel has left the page). A warning
// is shown, never a refusal: the clerk decides.

import { api } from "../api.js";
import { formatDate, formatDateTime } from "../dates.js";
import { h, uniqueId } from "../dom.js";
import { lang, t } from "../i18n.js";

const POLL_MS = 1000;
const POLL_TIMES = 30;
const STATUSES = ["valid", "warning", "invalid", "unsigned", "unreadable"];

/** A {vi, en} text in the interface's language. @param {any} text */
export function localText(text) {
  if (!text) return "";
  if (typeof text === "string") return text;
  return text[lang()] || text.vi || text.en || "";
}

/** The badge of a report's (or a signature's) status. @param {string} status @param {Record<string, any>} [attrs] */
export function signatureBadge(status, attrs = {}) {
  const known = STATUSES.includes(status) ? status : "warning";
  return h("span", { class: `badge sig-badge sig-${known}`, ...attrs }, t(`sigStatus_${known}`));
}

/** @param {Record<string, any>} s one signature of the report */
function integrityText(s) {
  if (!s.intact) return { text: t("sigIntegrityBroken"), bad: true };
  if (s.covers_whole_file || s.changed_after === "none") return { text: t("sigIntegrityIntact"), bad: false };
  const after = ["form_filling", "annotations"].includes(s.changed_after) ? s.changed_after : "other";
  return { text: t(`sigChangedAfter_${after}`), bad: after === "other" };
}

/** @param {Record<string, any>} s */
function chainText(s) {
  const chain = (s.chain || []).filter(Boolean).join(" → ");
  const parts = [s.trusted ? t("sigChainTrusted") : t("sigChainUntrusted")];
  if (chain) parts.push(chain);
  if (s.expired) parts.push(t("sigCertificateExpired", formatDate(s.signer?.not_after)));
  return { text: parts.join(" — "), bad: !s.trusted || Boolean(s.expired) };
}

/** @param {Record<string, any>} s */
function timestampText(s) {
  const stamp = s.timestamp;
  if (!stamp) return { text: t("sigNoTimestamp"), bad: false };
  const text = [formatDateTime(stamp.at), stamp.authority].filter(Boolean).join(" — ");
  return stamp.valid === false ? { text: `${text} (${t("sigTimestampInvalid")})`, bad: true } : { text, bad: false };
}

/** @param {Record<string, any>} s */
function revocationText(s) {
  const known = ["good", "revoked", "unknown", "not_checked"].includes(s.revocation) ? s.revocation : "unknown";
  return { text: t(`sigRevocation_${known}`), bad: known === "revoked" };
}

/** One row of a signature's facts. @param {string} label @param {string | {text: string, bad: boolean}} value @param {string} name */
function fact(label, value, name) {
  const { text, bad } = typeof value === "string" ? { text: value, bad: false } : value;
  return [h("dt", {}, label), h("dd", { class: ["sig-fact", bad ? "is-problem" : null], dataset: { fact: name } }, text || t("none"))];
}

/** One signature of the report. @param {Record<string, any>} s @param {number} index @param {number} total */
function signatureItem(s, index, total) {
  const signer = s.signer || {};
  const problems = s.problems || [];
  return h("li", { class: ["sig-item", s.valid ? "is-valid" : "is-invalid"] },
    h("p", { class: "sig-item-head" },
      h("strong", { class: "sig-signer" }, signer.common_name || t("sigUnknownSigner")),
      total > 1 ? h("span", { class: "muted" }, ` · ${t("sigNumber", index + 1, total)}`) : null, " ",
      h("span", { class: `badge sig-badge ${s.valid ? "sig-valid" : "sig-invalid"}` }, s.valid ? t("sigOneValid") : t("sigOneInvalid"))),
    h("dl", { class: "sig-facts" },
      fact(t("sigOrganisation"), signer.organisation || "", "organisation"),
      fact(t("sigIssuer"), signer.issuer || "", "issuer"),
      signer.serial ? fact(t("sigSerial"), signer.serial, "serial") : null,
      fact(t("sigSignedAt"), s.signed_at ? formatDateTime(s.signed_at) : "", "signed_at"),
      fact(t("sigTimestamp"), timestampText(s), "timestamp"),
      fact(t("sigIntegrity"), integrityText(s), "integrity"),
      fact(t("sigChain"), chainText(s), "chain"),
      fact(t("sigRevocation"), revocationText(s), "revocation")),
    problems.length ? h("ul", { class: "sig-problems", "aria-label": t("sigProblems") },
      problems.map((p) => h("li", { dataset: { code: p.code || "" } }, localText(p) || p.code))) : null);
}

/** The report's notes: when it was checked, an encrypted file, revocation not checked. @param {Record<string, any>} report */
function reportNotes(report) {
  const notes = [];
  if (report.checked_at) notes.push(t("sigCheckedAt", formatDateTime(report.checked_at)));
  if (report.encrypted) notes.push(t("sigEncrypted"));
  if (report.revocation_checked === false && (report.signatures || []).length) notes.push(t("sigRevocationNotChecked"));
  return notes.length ? h("p", { class: "sig-notes muted" }, notes.join(" · ")) : null;
}

/**
 * @typedef {object} SignaturePanelOptions
 * @property {string} [filename] the file's name in the heading (read from the API when not given)
 * @property {boolean} [withName] whether the heading names the file (true)
 * @property {string} [headingTag] "h3" by default
 * @property {(status: string) => void} [onStatus] called with each status read ("pending", "valid", "not_applicable"…)
 */

/**
 * The verification panel of one file. It hides itself for a file that is not a PDF.
 * @param {string} fileId
 * @param {SignaturePanelOptions} [options]
 */
export function signaturePanel(fileId, { filename, withName = true, headingTag = "h3", onStatus } = {}) {
  const titleId = uniqueId("sig-title");
  const name = h("span", { class: "sig-file" }, filename || "");
  const live = h("div", { class: "sig-result", role: "status", "aria-live": "polite" },
    h("span", { class: "spinner", "aria-hidden": "true" }), t("sigPending"));
  const details = h("div", { class: "sig-details" });
  const panel = h("section", { class: "sig-panel sig-state-pending", dataset: { fileId, status: "pending" }, "aria-labelledby": titleId },
    h(/** @type {"h3"} */ (headingTag), { class: "sig-title", id: titleId }, t("sigTitle"), withName && filename ? " — " : null, withName ? name : null),
    live, details);
  let timer = 0;
  let tries = 0;

  /** @param {string} status */
  const mark = (status) => {
    panel.dataset.status = status;
    panel.className = `sig-panel sig-state-${status}`;
    onStatus?.(status);
  };

  /** @param {Record<string, any>} report */
  function show(report) {
    const signatures = report.signatures || [];
    const badge = signatureBadge(report.status);
    badge.classList.add("sig-overall");
    live.replaceChildren(badge, " ",
      h("span", { class: "sig-summary" }, localText(report.summary) || t(`sigStatus_${report.status}`)));
    details.replaceChildren(reportNotes(report) || "",
      signatures.length ? h("ol", { class: "sig-list" }, signatures.map((s, i) => signatureItem(s, i, signatures.length))) : "");
    mark(report.status);
  }

  function retryButton() {
    return h("button", { type: "button", class: "btn btn-link btn-small sig-retry", onclick: () => { tries = 0; read(); } }, t("retry"));
  }

  async function read() {
    window.clearTimeout(timer);
    if (tries > 0 && !panel.isConnected) return;   // the view was left
    tries += 1;
    try {
      const report = await api.fileSignatures(fileId);
      if (report.status === "not_applicable") {
        panel.hidden = true;
        mark("not_applicable");
      } else if (report.status === "pending") {
        mark("pending");
        if (tries < POLL_TIMES) timer = window.setTimeout(read, POLL_MS);
        else live.replaceChildren(t("sigStillPending"), " ", retryButton());
      } else {
        show(report);
      }
    } catch (error) {
      live.replaceChildren(h("span", { class: "sig-error" }, `${t("sigReadFailed")} ${error.message}`), " ", retryButton());
      mark("error");
    }
  }

  if (withName && !filename) {
    api.getFile(fileId).then((file) => { name.textContent = file.filename || ""; name.before(" — "); }).catch(() => {});
  }
  read();
  return panel;
}

/**
 * A section with the verification panel of each file (those that are no PDF hide their
 * panel; the section hides when none is a PDF). `extra` comes before the panels.
 * @param {{id: string, fileIds: string[], extra?: import("../dom.js").Child}} options
 */
export function signaturesSection({ id, fileIds, extra = null }) {
  const titleId = `${id}-title`;
  /** @type {Map<string, string>} */
  const statuses = new Map();
  const section = h("section", { class: "panel signatures-panel", id, "aria-labelledby": titleId },
    h("h2", { id: titleId }, t("sigSectionTitle")),
    extra);
  const hasExtra = Boolean(extra);
  for (const fileId of fileIds) {
    section.append(signaturePanel(fileId, {
      onStatus: (status) => {
        statuses.set(fileId, status);
        const none = statuses.size === fileIds.length && [...statuses.values()].every((s) => s === "not_applicable");
        section.hidden = none && !hasExtra;
      },
    }));
  }
  if (!fileIds.length && !hasExtra) section.hidden = true;
  return section;
}
