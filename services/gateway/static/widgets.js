// @ts-check
// The pieces several views use, from components/ (one concern a module), in one import.

export { assigneePicker } from "./components/assignee-picker.js";
export { chosenCard } from "./components/chosen.js";
export { dateField } from "./components/date-field.js";
export { confirmDialog, errorPanel } from "./components/feedback.js";
export { attachmentItem, exportButtons, fileLink } from "./components/files.js";
export { dateProblems, errorSlotId, errorSummary, formErrors, formField, problemText } from "./components/forms.js";
export { describeEvent, historyActionLabel, historyPanel } from "./components/history.js";
export { codeOf, documentLink, notificationTarget, notificationTitle, outgoingLink } from "./components/links.js";
export { fold, liveSearch } from "./components/live-search.js";
export { signatureBadge, signaturePanel, signaturesSection } from "./components/signatures.js";
export { stepForm } from "./components/step-form.js";
export { dataTable, pager } from "./components/table.js";
export { ACCEPT_FILES, fileUploader } from "./components/uploader.js";
