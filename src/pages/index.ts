export type { ApprovalPageView, LabeledValue } from "./approval-page";
export { renderApprovalPage } from "./approval-page";
export type { FormPageView } from "./form-page";
export { renderFormPage } from "./form-page";
export { formatUtc } from "./format";
export { inputValue } from "./input-value";
export type { ConfirmationPageView, ErrorPageView } from "./message-pages";
export { renderConfirmationPage, renderErrorPage } from "./message-pages";
export { htmlResponse, PAGE_CSP, PAGE_HEADERS } from "./response";
