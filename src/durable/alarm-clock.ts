/**
 * How much earlier than asked an alarm that already stands may be and still be kept: setting it again
 * would cost a storage write, and an alarm that fires a little early finds nothing due and sets the next.
 */
export const ALARM_SLACK_MS = 1_000;

/**
 * The object's alarm, as this instance of the object last set or read it. The run's object is the only
 * one that sets its alarm, so after one read it knows the alarm without asking storage again, and it
 * skips a set that would leave the alarm where it already stands (a transition arms the index watchdog,
 * then the reschedule after it asks for the same time a few milliseconds later). The platform clears
 * the alarm when it fires: the alarm handler forgets what it knew first.
 */
export class AlarmClock {
  /** The alarm's time, null when none is set, undefined while unknown (not read or set yet). */
  private known: number | null | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  async get(): Promise<number | null> {
    if (this.known === undefined) this.known = await this.storage.getAlarm();
    return this.known;
  }

  /** Sets the alarm to `at`, unless it already stands at most ALARM_SLACK_MS before it. */
  async set(at: number): Promise<void> {
    const known = this.known;
    if (typeof known === "number" && known <= at && at - known <= ALARM_SLACK_MS) return;
    this.known = undefined; // a set that fails leaves the alarm unknown
    await this.storage.setAlarm(at);
    this.known = at;
  }

  async clear(): Promise<void> {
    if (this.known === null) return;
    this.known = undefined;
    await this.storage.deleteAlarm();
    this.known = null;
  }

  /** The alarm fired (the platform cleared it), so what this instance knew no longer holds. */
  forget(): void {
    this.known = undefined;
  }
}

const clocks = new WeakMap<DurableObjectStorage, AlarmClock>();

/** The clock of an object's storage: one per storage object, so every part of the object shares it. */
export function alarmClock(storage: DurableObjectStorage): AlarmClock {
  let clock = clocks.get(storage);
  if (!clock) {
    clock = new AlarmClock(storage);
    clocks.set(storage, clock);
  }
  return clock;
}
