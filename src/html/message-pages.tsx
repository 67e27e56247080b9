import { Heading, type LabeledValue, Layout, Pairs } from "./layout";
import { renderDocument } from "./render";

/** A success page; also used for "already recorded", showing what the first submission recorded. */
export interface ConfirmationPageView {
  title: string;
  message: string;
  workflowName?: string | undefined;
  recorded?: LabeledValue[] | undefined;
}

/** Renders the page shown after a submission (or a repeat of one): a status message and what was recorded. */
export function renderConfirmationPage(view: ConfirmationPageView): string {
  return renderDocument(
    <Layout title={view.title}>
      <Heading title={view.title} workflowName={view.workflowName} />
      <div class="alert success" role="status">
        <p class="text">{view.message}</p>
      </div>
      <Pairs id="recorded-heading" title="Recorded" items={view.recorded ?? []} />
    </Layout>,
  );
}

/** A page for links that cannot be used: expired, already used, run cancelled, invalid. */
export interface ErrorPageView {
  title: string;
  message: string;
}

/** Renders an error page (the caller picks the status: 401, 404, 409, 410 ...). */
export function renderErrorPage(view: ErrorPageView): string {
  return renderDocument(
    <Layout title={view.title}>
      <Heading title={view.title} />
      <p class="text">{view.message}</p>
    </Layout>,
  );
}
