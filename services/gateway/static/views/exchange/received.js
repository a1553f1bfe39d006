// @ts-check
// One document another agency sent: its particulars as the package gives them, its
// files (a PDF opens in a new tab, as signed documents do; any file downloads), the check
// of the package's XML signature and of each file's digital signatures (signing's report,
// asked again while it is being made), and for the văn thư of the unit it is addressed
// to, while it waits: "Tiếp nhận" (the registration form filled from the package; the
// số đến is shown after) and "Trả lại" (with a reason, which goes back to the sender).

import { api } from "../../api.js";
import { formatDate, formatDateTime } from "../../dates.js";
import { alertBox, h, loadingBox, urgencyBadge } from "../../dom.js";
import { formatSize, t } from "../../i18n.js";
import { documentTypeLabel, urgencyLabel } from "../../labels.js";
import { downloadLinked, showLinkedPdf } from "../../transfer.js";
import { errorPanel, signatureBadge } from "../../widgets.js";
import { localText } from "../../components/signatures.js";
import { changesList } from "../../components/change-answer.js";
import { receivedActions, recallActions, updateActions } from "./actions.js";
import { earlierNote } from "./earlier.js";
import {
  listHash, packageSignatureBadge, receivedCode, receivedIssuedDate, receivedStateBadge, unitNameOf,
} from "./common.js";

/** @typedef {import("./common.js").Received} Received */
/** @typedef {import("./common.js").ReceivedFile} ReceivedFile */

const REPORT_POLL_MS = 2000;     // signing checks each stored PDF in a moment
const REPORT_POLL_TIMES = 15;

/** @param {string} label @param {import("../../dom.js").Child} value @param {Record<string, any>} [attrs] */
function row(label, value, attrs = {}) {
  const empty = value === null || value === undefined || value === "";
  return [h("dt", {}, label), h("dd", attrs, empty ? t("none") : value)];
}

/** @param {string | null | undefined} name @param {string | null | undefined} type */
function isPdf(name, type) {
  return type === "application/pdf" || /\.pdf$/i.test(name || "");
}

/**
 * What stays of a recalled document: the recall log (số/ký hiệu, issuer, date; the
 * request and the answer are above), its metadata and files deleted.
 * @param {Received} r
 */
function recallLog(r) {
  const f = r.fields || {};
  return h("section", { class: "panel", id: "received-recall-log", "aria-labelledby": "received-recall-log-title" },
    h("h2", { id: "received-recall-log-title" }, t("receivedRecallLogTitle")),
    h("p", { class: "hint" }, t("receivedRecallLogHint")),
    h("dl", { class: "detail-list" },
      row(t("colCode"), receivedCode(f), { id: "received-code" }),
      row(t("receivedIssuer"), f.issuer?.name || f.issuer?.organ_id || null, { id: "received-issuer" }),
      row(t("issuedDate"), formatDate(receivedIssuedDate(f))),
      row(t("colSender"), [r.from?.name || "", r.from?.organ_id ? h("span", { class: "muted" }, ` (${r.from.organ_id})`) : null],
        { id: "received-from" }),
      row(t("receivedUnit"), unitNameOf(r.unit_id)),
      row(t("colReceivedAt"), formatDateTime(r.received_at)),
      row(t("state"), receivedStateBadge(r.state, { id: "received-state" })),
      row(t("receivedDocumentId"), h("code", {}, r.document_id))));
}

/** The particulars the package gives. @param {Received} r */
function particulars(r) {
  const f = r.fields || {};
  const signer = [f.signer?.position, f.signer?.full_name].filter(Boolean).join(" ");
  return h("section", { class: "panel", "aria-labelledby": "received-info" },
    h("h2", { id: "received-info", class: "visually-hidden" }, t("sectionDocument")),
    h("dl", { class: "detail-list" },
      row(t("colSender"), [r.from?.name || "", r.from?.organ_id ? h("span", { class: "muted" }, ` (${r.from.organ_id})`) : null],
        { id: "received-from" }),
      row(t("colCode"), receivedCode(f), { id: "received-code" }),
      row(t("issuedDate"), formatDate(receivedIssuedDate(f))),
      row(t("documentType"), documentTypeLabel(f.document_type)),
      row(t("signer"), signer),
      row(t("pageAmount"), f.page_amount != null ? String(f.page_amount) : null),
      row(t("urgency"), urgencyLabel(f.urgency || "normal")),
      row(t("dueDate"), f.due_date ? formatDate(f.due_date) : null),
      row(t("receivedToPlaces"), f.to_places),
      // why an update or a replacement was sent (a new document's says only that)
      r.business_type && f.business_reason ? row(t("receivedBusinessReason"), f.business_reason) : null,
      // an update: the particulars it changes, which the văn thư agrees to or not
      r.business_type === 2 ? row(t("receivedUpdateChanges"), changesList(f.changes), { id: "received-changes" }) : null,
      row(t("receivedUnit"), unitNameOf(r.unit_id)),
      row(t("colReceivedAt"), formatDateTime(r.received_at)),
      row(t("state"), receivedStateBadge(r.state, { id: "received-state" })),
      row(t("receivedDocumentId"), h("code", {}, r.document_id))));
}

/**
 * One file: its name and size, "Xem" for a PDF and "Tải xuống", through the exchange's
 * 5-minute link (so the văn thư and leaders read it before accepting it).
 * @param {Received} r @param {ReceivedFile} file
 */
function fileItem(r, file) {
  const status = h("span", { class: "file-status", role: "status" });
  /** @param {Promise<any>} work */
  const report = (work) => {
    status.textContent = t("loading");
    work.then(() => { status.textContent = ""; })
      .catch((error) => { status.textContent = error?.message || t("networkError"); });
  };
  /** @param {boolean} view */
  const link = (view) => () => api.receivedFileLink(r.id, file.file_id, view ? { view: true } : {});
  const pdf = isPdf(file.name, file.content_type);
  return h("li", { class: "attachment", dataset: { fileId: file.file_id } },
    h("span", { class: "file-icon", "aria-hidden": "true" }, pdf ? "PDF" : (file.name.split(".").pop() || "file").toUpperCase().slice(0, 4)),
    h("span", { class: "attachment-name" },
      h("span", { class: "file-name" }, file.name),
      h("span", { class: "file-size" }, formatSize(file.size))),
    pdf ? h("button", {
      type: "button", class: "btn btn-secondary btn-small received-view", "aria-label": t("viewFile", file.name),
      onclick: () => report(showLinkedPdf(link(true), window.open("about:blank", "_blank"))),
    }, t("viewPdf")) : null,
    h("button", {
      type: "button", class: "btn btn-secondary btn-small download-link", "aria-label": t("downloadFile", file.name),
      onclick: () => report(downloadLinked(link(false), file.name)),
    }, "⤓ ", t("download")),
    status);
}

/** A file's overall badge as signing reported it. @param {string} status */
function overallBadge(status) {
  const badge = signatureBadge(status);
  badge.classList.add("sig-overall");
  return badge;
}

/** @param {Received} r */
function filesPanel(r) {
  return h("section", { class: "panel", id: "received-files", "aria-labelledby": "received-files-title" },
    h("h2", { id: "received-files-title" }, t("attachments")),
    r.files?.length
      ? h("ul", { class: "attachment-list" }, r.files.map((file) => fileItem(r, file)))
      : h("p", { class: "muted" }, t("noAttachments")));
}

/**
 * The checks: the package's XML signature (who signed it), then each file's digital
 * signatures as signing reported them ("checking" while it has not).
 * @param {Received} r
 */
function checksPanel(r) {
  const pkg = r.package_signature;
  return h("section", { class: "panel signatures-panel", id: "received-signatures", "aria-labelledby": "received-signatures-title" },
    h("h2", { id: "received-signatures-title" }, t("receivedChecksTitle")),
    h("div", { class: "sig-panel received-package", id: "received-package-signature", dataset: { status: pkg?.status || "unverifiable" } },
      h("h3", { class: "sig-title" }, t("receivedPackageSignature")),
      h("p", { class: "sig-result" }, packageSignatureBadge(pkg, { id: "received-package-badge" }), " ",
        h("span", { class: "sig-summary" }, localText(pkg) || t("none"))),
      pkg?.subject && !localText(pkg).includes(pkg.subject)
        ? h("p", { class: "sig-notes muted" }, t("receivedPackageSigner", pkg.subject)) : null),
    (r.files || []).map((file) => {
      const report = file.signatures;
      return h("div", {
        class: ["sig-panel", "received-file-signature", `sig-state-${report?.status || "pending"}`],
        dataset: { fileId: file.file_id, status: report?.status || "pending" },
      },
      h("h3", { class: "sig-title" }, t("sigTitle"), " — ", h("span", { class: "sig-file" }, file.name)),
      h("p", { class: "sig-result" }, report
        ? [overallBadge(report.status), " ",
          h("span", { class: "sig-summary" }, localText(report.summary) || t(`sigStatus_${report.status}`))]
        : [h("span", { class: "spinner", "aria-hidden": "true" }), t("sigPending")]));
    }));
}

/** What became of it: the số đến it took, the reason it was returned, a recall asked. @param {Received} r @param {HTMLElement} outcome */
function drawOutcome(r, outcome) {
  const notes = [];
  const recall = r.recall_request;
  if (recall) {
    notes.push(alertBox(recall.answer ? "info" : "warning",
      h("p", { id: "received-recall" }, t("receivedRecallAsked", recall.reason || t("none")),
        recall.asked_at ? h("span", { class: "muted" }, ` (${formatDateTime(recall.asked_at)})`) : null),
      recall.answer ? h("p", { id: "received-recall-answer", dataset: { code: recall.answer } },
        recall.answer === "15"
          ? t("receivedRecallAgreed", formatDateTime(recall.answered_at))
          : t("receivedRecallRefused", formatDateTime(recall.answered_at), recall.answer_reason || t("none"))) : null));
  }
  const earlier = earlierNote(r);     // what it replaces or corrects
  if (earlier) notes.push(earlier);
  if (r.business_type === 2 && r.state !== "waiting") {     // an update answered: 15 or 16
    const link = r.incoming_id ? h("a", { href: `#/documents/${encodeURIComponent(r.incoming_id)}` }, t("receivedOpenIncoming")) : null;
    notes.push(r.state === "accepted"
      ? alertBox("success", h("p", { id: "received-update-answer", dataset: { code: "15" } }, t("receivedUpdateAgreed"), " ", link))
      : alertBox("warning", h("p", { id: "received-update-answer", dataset: { code: "16" } }, t("receivedUpdateRefused", r.reason || t("none")))));
    outcome.replaceChildren(...notes);
    return;
  }
  if (r.state === "returned") {
    notes.push(alertBox("warning", h("p", { id: "received-returned" }, t("receivedReturnedReason", r.reason || t("none")))));
  }
  if (r.state === "accepted" && r.incoming_id) {
    const number = h("strong", { id: "received-arrival-number" }, r.incoming?.arrival_number != null ? String(r.incoming.arrival_number) : "…");
    const link = h("a", { href: `#/documents/${encodeURIComponent(r.incoming_id)}`, id: "received-incoming-link" }, t("receivedOpenIncoming"));
    notes.push(alertBox("success", h("p", { id: "received-accepted" }, t("receivedAcceptedAs"), " ", number, ". ", link)));
    if (r.incoming?.arrival_number == null) {
      api.getIncoming(r.incoming_id).then((doc) => { number.textContent = String(doc.arrival_number); })
        .catch(() => { number.textContent = t("none"); });
    }
  }
  outcome.replaceChildren(...notes);
}

/** #/exchange/received/{id}. @param {HTMLElement} view @param {Record<string, string>} params */
export function renderReceived(view, params) {
  const id = params.id;
  const heading = h("h1", { tabindex: "-1", id: "page-title" }, t("receivedDocTitle"));
  const message = h("div", { id: "doc-message", class: "doc-message", tabindex: "-1" });
  const body = h("div", {}, loadingBox());
  view.append(
    h("p", { class: "back" }, h("a", { href: listHash("waiting") }, "‹ ", t("receivedTitle"))),
    h("div", { class: "page-head" }, heading),
    message,
    body);
  let polls = 0;
  let pollTimer = 0;
  /** @type {Received | null} */
  let shown = null;

  /** @type {import("./actions.js").ActionsHost} */
  const host = {
    draw: (r) => draw(r),
    say(kind, ...children) {
      message.replaceChildren(alertBox(kind, ...children));
      message.focus();
    },
    reload: () => load(),
  };

  /** @param {Received} r */
  function draw(r) {
    // an action's answer has no signature reports: the ones shown stay
    const reports = new Map((shown?.files || []).map((file) => [file.file_id, file.signatures]));
    r.files = (r.files || []).map((file) => (file.signatures === undefined ? { ...file, signatures: reports.get(file.file_id) ?? null } : file));
    shown = r;
    const f = r.fields || {};
    const title = r.state === "recalled" ? t("receivedRecalledTitle", receivedCode(f)) : f.subject || t("receivedDocTitle");
    heading.textContent = title;
    document.title = `${title} · ${t("appName")}`;
    const outcome = h("div", { class: "received-outcome" });
    drawOutcome(r, outcome);
    body.replaceChildren(h("div", { class: "doc-stack" },
      h("div", { class: "doc-badges" },
        h("span", { class: "eyebrow" }, `${t("receivedDocTitle")} · ${r.from?.name || r.from?.organ_id || ""}`),
        receivedStateBadge(r.state), urgencyBadge(f.urgency, { showNormal: false })),
      outcome.childElementCount ? outcome : null,
      recallActions(r, host),
      updateActions(r, host),
      receivedActions(r, host),
      r.state === "recalled" ? recallLog(r) : [
        h("div", { class: "doc-layout" }, particulars(r), filesPanel(r)),
        checksPanel(r)]));
    followReports(r);
  }

  /** While a file's report is not made yet, read the document again for it. @param {Received} r */
  function followReports(r) {
    window.clearTimeout(pollTimer);
    if (!(r.files || []).some((file) => !file.signatures) || polls >= REPORT_POLL_TIMES) return;
    pollTimer = window.setTimeout(async () => {
      if (!body.isConnected) return;     // the view was left
      polls += 1;
      try {
        const fresh = await api.getReceived(id);
        const checks = document.getElementById("received-signatures");
        if (checks && body.isConnected) checks.replaceWith(checksPanel(fresh));
        followReports(fresh);
      } catch {
        /* the next visit shows it */
      }
    }, REPORT_POLL_MS);
  }

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      draw(await api.getReceived(id));
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  load();
  return { title: t("receivedDocTitle") };
}
