import type { Child } from "hono/jsx";
import type { HumanWait } from "../../engine/state";
import type { AttemptView, StepView } from "../../run-db/history";
import type { RunEvent } from "../run-reads";
import { duration, Status, When } from "../ui/format";
import { AiAttempt } from "./ai-attempt";
import { HumanStep } from "./human-step";
import { PlainAttempt } from "./plain-attempt";

/** A person's fix of an AI step's output (`on_invalid: fix`), recorded as the step's last attempt. */
const isFix = (a: AttemptView) => (a.input as { fix?: unknown } | undefined)?.fix === true;

/** From the first attempt's start to the last one's end (still open: until now). */
function stepDuration(step: StepView, now: number): number | null {
  const first = step.attempts[0];
  const last = step.attempts[step.attempts.length - 1];
  if (!first || !last) return null;
  const end = last.finished_at === null ? now : Date.parse(last.finished_at);
  return end - Date.parse(first.started_at);
}

/**
 * One execution of a step (with its own events): its type, status, attempts and duration, then what
 * happened in it, then `children` (a parallel step's branches).
 */
export function StepCard(props: {
  step: StepView;
  events: RunEvent[];
  wait: HumanWait | undefined;
  now: number;
  children?: Child;
}) {
  const { step } = props;
  const anchor = `step-${step.seq}`;
  const ids = new Set(step.attempts.map((a) => a.attempt_id));
  const events = props.events.filter(
    (e) => e.step_id === step.step_id && (!e.attempt_id || ids.has(e.attempt_id)),
  );
  const human = step.type === "form" || step.type === "approval";
  const open = props.wait ? " open-wait" : "";
  return (
    <section class={`card${open}`} id={anchor} aria-labelledby={`${anchor}-h`}>
      <h3 id={`${anchor}-h`}>
        {step.seq}. {step.step_id} <span class="muted">({step.type})</span> <Status status={step.status} />
      </h3>
      <ul class="facts" aria-label="Step facts">
        <li>
          {step.attempts.length} attempt{step.attempts.length === 1 ? "" : "s"}
        </li>
        <li>took {duration(stepDuration(step, props.now))}</li>
        <li>
          started <When at={step.attempts[0]?.started_at} />
        </li>
      </ul>
      {human ? (
        <HumanStep
          attempts={step.attempts}
          events={events}
          wait={props.wait}
          anchor={anchor}
          now={props.now}
        />
      ) : (
        step.attempts.map((a, i) =>
          step.type === "ai_generate" && isFix(a) ? (
            <div class="attempt fix" id={`${anchor}-a${a.attempt}`}>
              <h4>
                Attempt {a.attempt}: fixed by a person ({a.status})
              </h4>
              <HumanStep
                attempts={[a]}
                events={events}
                wait={props.wait}
                anchor={`${anchor}-a${a.attempt}`}
                now={props.now}
              />
            </div>
          ) : step.type === "ai_generate" ? (
            <AiAttempt a={a} anchor={`${anchor}-a${a.attempt}`} last={i === step.attempts.length - 1} />
          ) : (
            <PlainAttempt a={a} anchor={`${anchor}-a${a.attempt}`} type={step.type} />
          ),
        )
      )}
      {props.children}
    </section>
  );
}
