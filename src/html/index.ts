export { formatUtc } from "./format";
export type { LabeledValue } from "./layout";
export type { ConfirmationPageView, ErrorPageView } from "./message-pages";
export { renderConfirmationPage, renderErrorPage } from "./message-pages";
export { htmlResponse, PAGE_CSP, PAGE_HEADERS } from "./response";
