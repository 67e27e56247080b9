import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ALARM_SLACK_MS, AlarmClock } from "../../src/durable/alarm-clock";

// The object's alarm as its instance knows it (src/durable/alarm-clock.ts), on a real object's storage.

const objectFor = (name: string) => env.RUNS.get(env.RUNS.idFromName(`alarm-clock:${name}`));

describe("the alarm clock of a run's object", () => {
  it("keeps an alarm that stands a little earlier than asked, and moves one that stands later or much earlier", async () => {
    await runInDurableObject(objectFor("slack"), async (_instance, state) => {
      const clock = new AlarmClock(state.storage);
      const at = Date.now() + 60_000;
      await clock.set(at);
      expect(await state.storage.getAlarm()).toBe(at);
      await clock.set(at + ALARM_SLACK_MS);
      expect(await state.storage.getAlarm()).toBe(at);
      await clock.set(at - 1);
      expect(await state.storage.getAlarm()).toBe(at - 1);
      await clock.set(at + ALARM_SLACK_MS + 1);
      expect(await state.storage.getAlarm()).toBe(at + ALARM_SLACK_MS + 1);
      await clock.clear();
      expect(await state.storage.getAlarm()).toBeNull();
      expect(await clock.get()).toBeNull();
      await clock.set(at);
      expect(await state.storage.getAlarm()).toBe(at);
      await clock.clear();
    });
  });

  it("reads the alarm from storage once, and again after the alarm fired (forget)", async () => {
    await runInDurableObject(objectFor("forget"), async (_instance, state) => {
      const first = Date.now() + 120_000;
      await state.storage.setAlarm(first);
      const clock = new AlarmClock(state.storage);
      expect(await clock.get()).toBe(first);
      // Only the object sets its alarm: what it read stays what it knows...
      await state.storage.deleteAlarm();
      expect(await clock.get()).toBe(first);
      // ...until the alarm fires and the handler forgets it: then storage is read again.
      clock.forget();
      expect(await clock.get()).toBeNull();
      await clock.set(first);
      expect(await state.storage.getAlarm()).toBe(first);
      await clock.clear();
    });
  });
});
