import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { publicBaseUrl } from "../../src/config/env";
import { AppError } from "../../src/lib/errors";
import {
  type CloudflareEmailMessage,
  CloudflareEmailSender,
  composeWaitEmail,
  createEmailSender,
  type EmailBinding,
  type EmailSender,
  OutboxSender,
  type OutgoingEmail,
  PermanentMailError,
  ResendSender,
  TransientMailError,
  type WaitEmailInput,
} from "../../src/mail";

const DEADLINE = Date.UTC(2026, 4, 1, 9, 30); // Fri, 01 May 2026 09:30 UTC

const waitInput = (over: Partial<WaitEmailInput> = {}): WaitEmailInput => ({
  kind: "request",
  stepType: "form",
  workflowName: "Content review",
  workflowId: "content-review",
  stepId: "brief",
  stepTitle: "What should we write?",
  deadline: DEADLINE,
  link: "https://scaff.test/r/tok.en-123",
  to: "writer@acme.test",
  ...over,
});

const mail = (over: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  id: "mail_01abc",
  to: "editor@acme.test",
  from: "scaff@acme.test",
  subject: "Approval needed: Review (Content review)",
  text: "plain part",
  html: "<p>html part</p>",
  ...over,
});

/** A fetch that records each request and answers with the next scripted response. */
function recordingFetch(answers: Array<() => Response>) {
  const calls: Array<{ url: string; method: string; headers: Headers; body: unknown }> = [];
  const fn: typeof fetch = async (input, init) => {
    const req = new Request(input, init);
    calls.push({ url: req.url, method: req.method, headers: req.headers, body: await req.json() });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    if (!answer) throw new Error("no scripted answer");
    return answer();
  };
  return { fn, calls };
}

/** A send_email binding stand-in that records messages and can be told to throw. */
function recordingBinding(fail?: () => unknown) {
  const sent: CloudflareEmailMessage[] = [];
  const binding: EmailBinding = {
    async send(message) {
      if (fail) throw fail();
      sent.push(message);
      return { messageId: `cf-${sent.length}@acme.test` };
    },
  };
  return { binding, sent };
}

const codeError = (code: string, message: string) => Object.assign(new Error(message), { code });

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected the promise to reject");
}

describe("composeWaitEmail", () => {
  it("names the workflow, the step, the deadline and carries the link in both parts", () => {
    const m = composeWaitEmail(waitInput({ instructions: "Pick a topic\nand an audience." }));
    expect(m.subject).toBe("Input needed: What should we write? (Content review)");
    for (const part of [m.text, m.html]) {
      expect(part).toContain("Content review");
      expect(part).toContain("content-review");
      expect(part).toContain("What should we write?");
      expect(part).toContain("brief");
      expect(part).toContain("2026-05-01T09:30:00.000Z");
      expect(part).toContain("Fri, 01 May 2026 09:30 UTC");
      expect(part).toContain("https://scaff.test/r/tok.en-123");
      expect(part).toContain("Pick a topic\nand an audience.");
    }
    expect(m.html).toContain('href="https://scaff.test/r/tok.en-123"');
    expect(m.html.startsWith("<!DOCTYPE html>")).toBe(true);
  });

  it("asks for approval on approval steps and says Reminder: in reminders", () => {
    const first = composeWaitEmail(
      waitInput({ stepType: "approval", stepTitle: undefined, stepId: "review" }),
    );
    expect(first.subject).toBe("Approval needed: review (Content review)");
    expect(first.text).toContain("waiting for your approval");
    const again = composeWaitEmail(waitInput({ kind: "reminder", stepType: "approval" }));
    expect(again.subject).toBe("Reminder: Approval needed: What should we write? (Content review)");
    expect(again.text).toContain("Reminder:");
    expect(again.html).toContain("Reminder:");
  });

  it("escapes everything user-supplied in the HTML part and keeps it verbatim in the text part", () => {
    const evil = "<script>alert(1)</script>";
    const m = composeWaitEmail(
      waitInput({
        workflowName: `WF ${evil}`,
        stepTitle: `Step "${evil}"`,
        instructions: `Do <b>this</b> & ${evil}`,
        to: "a&b@acme.test",
        link: "https://scaff.test/r/x?a=1&b=2",
      }),
    );
    expect(m.html).not.toContain("<script");
    expect(m.html).not.toContain("<b>this</b>");
    expect(m.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(m.html).toContain("Do &lt;b&gt;this&lt;/b&gt; &amp; ");
    expect(m.html).toContain('href="https://scaff.test/r/x?a=1&amp;b=2"');
    expect(m.text).toContain(`Do <b>this</b> & ${evil}`);
  });

  it("keeps the subject on one line whatever the names contain", () => {
    const m = composeWaitEmail(waitInput({ workflowName: "Multi\r\nline\nname", stepTitle: "a\tb" }));
    expect(m.subject).toBe("Input needed: a b (Multi line name)");
    expect(() => new OutboxSender().send(mail({ subject: m.subject }))).not.toThrow();
  });

  it("refuses to mail a link that is not http(s)", () => {
    for (const link of ["javascript:alert(1)", "/r/relative", "https://a b"]) {
      const e = (() => {
        try {
          composeWaitEmail(waitInput({ link }));
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe("misconfigured");
    }
  });
});

// One contract for every sender: the same valid email goes out, the same bad one is refused
// as permanent before the provider is called.
const senders: Array<{ name: string; make: () => { sender: EmailSender; providerCalls: () => number } }> = [
  {
    name: "outbox",
    make: () => ({ sender: new OutboxSender(), providerCalls: () => 0 }),
  },
  {
    name: "resend",
    make: () => {
      const f = recordingFetch([() => Response.json({ id: "re_123" })]);
      return {
        sender: new ResendSender({ apiKey: "re_key", fetch: f.fn }),
        providerCalls: () => f.calls.length,
      };
    },
  },
  {
    name: "cloudflare",
    make: () => {
      const b = recordingBinding();
      return { sender: new CloudflareEmailSender(b.binding), providerCalls: () => b.sent.length };
    },
  },
];

describe.each(senders)("EmailSender contract: $name", ({ name, make }) => {
  it("sends a valid email and reports a provider message id", async () => {
    const { sender, providerCalls } = make();
    expect(sender.name).toBe(name);
    const res = await sender.send(mail({ from: "Scaff <scaff@acme.test>" }));
    expect(res.providerMessageId).toMatch(/\S/);
    expect(providerCalls()).toBe(name === "outbox" ? 0 : 1);
  });

  it.each([
    ["a CR/LF in the subject", { subject: "Hi\r\nBcc: victim@evil.test" }],
    ["a LF in the subject", { subject: "Hi\nX-Injected: 1" }],
    ["a line break in the recipient", { to: "editor@acme.test\r\nBcc: victim@evil.test" }],
    ["a line break in the sender", { from: "Scaff\n <scaff@acme.test>" }],
    ["two recipients", { to: "a@acme.test, b@acme.test" }],
    ["a recipient without @", { to: "nobody" }],
    ["an empty subject", { subject: "  " }],
  ])("refuses %s as permanent, without calling the provider", async (_what, over) => {
    const { sender, providerCalls } = make();
    const e = await rejection(sender.send(mail(over)));
    expect(e).toBeInstanceOf(PermanentMailError);
    expect(providerCalls()).toBe(0);
  });
});

describe("OutboxSender", () => {
  it("names the outbox row as the message id", async () => {
    expect(await new OutboxSender().send(mail({ id: "mail_42" }))).toEqual({
      providerMessageId: "outbox:mail_42",
    });
  });
});

describe("ResendSender", () => {
  it("posts the email as JSON with the bearer key and the outbox id as Idempotency-Key", async () => {
    const f = recordingFetch([() => Response.json({ id: "re_abc" })]);
    const sender = new ResendSender({ apiKey: "re_secret", fetch: f.fn, baseUrl: "http://fake.resend/" });
    const res = await sender.send(mail({ id: "mail_77", from: "Scaff <scaff@acme.test>" }));
    expect(res).toEqual({ providerMessageId: "re_abc" });
    expect(f.calls).toHaveLength(1);
    const call = f.calls[0];
    expect(call?.url).toBe("http://fake.resend/emails");
    expect(call?.method).toBe("POST");
    expect(call?.headers.get("authorization")).toBe("Bearer re_secret");
    expect(call?.headers.get("idempotency-key")).toBe("mail_77");
    expect(call?.headers.get("content-type")).toBe("application/json");
    expect(call?.body).toEqual({
      from: "Scaff <scaff@acme.test>",
      to: ["editor@acme.test"],
      subject: "Approval needed: Review (Content review)",
      text: "plain part",
      html: "<p>html part</p>",
    });
  });

  it("uses the real Resend endpoint by default", async () => {
    const f = recordingFetch([() => Response.json({ id: "x" })]);
    await new ResendSender({ apiKey: "k", fetch: f.fn }).send(mail());
    expect(f.calls[0]?.url).toBe("https://api.resend.com/emails");
  });

  it.each([
    [429, { name: "rate_limit_exceeded", message: "Too many requests" }, TransientMailError],
    [500, { name: "internal_server_error", message: "boom" }, TransientMailError],
    [503, {}, TransientMailError],
    [409, { name: "concurrent_idempotent_requests", message: "in flight" }, TransientMailError],
    [409, { name: "invalid_idempotent_request", message: "other payload" }, PermanentMailError],
    [422, { name: "validation_error", message: "Invalid `to` field" }, PermanentMailError],
    [401, { name: "missing_api_key", message: "no key" }, PermanentMailError],
    [403, { name: "invalid_from_address", message: "domain not verified" }, PermanentMailError],
  ])("maps HTTP %i %j to %o", async (status, body, errorClass) => {
    const f = recordingFetch([() => Response.json(body, { status })]);
    const e = await rejection(new ResendSender({ apiKey: "k", fetch: f.fn }).send(mail()));
    expect(e).toBeInstanceOf(errorClass);
    expect((e as TransientMailError | PermanentMailError).status).toBe(status);
    if ("message" in body) expect((e as Error).message).toContain(body.message);
  });

  it("passes on Retry-After of a 429 so the queue can wait that long", async () => {
    const f = recordingFetch([() => Response.json({}, { status: 429, headers: { "Retry-After": "7" } })]);
    const e = await rejection(new ResendSender({ apiKey: "k", fetch: f.fn }).send(mail()));
    expect(e).toBeInstanceOf(TransientMailError);
    expect((e as TransientMailError).retryAfterMs).toBe(7000);
  });

  it("treats a network failure and a non-JSON 502 as transient", async () => {
    const down: typeof fetch = async () => {
      throw new TypeError("Network connection lost.");
    };
    const e1 = await rejection(new ResendSender({ apiKey: "k", fetch: down }).send(mail()));
    expect(e1).toBeInstanceOf(TransientMailError);
    expect((e1 as Error).message).toContain("Network connection lost.");
    const f = recordingFetch([() => new Response("<html>bad gateway</html>", { status: 502 })]);
    expect(await rejection(new ResendSender({ apiKey: "k", fetch: f.fn }).send(mail()))).toBeInstanceOf(
      TransientMailError,
    );
  });

  it("gives up on a provider that does not answer in time, as transient", async () => {
    const hang: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      });
    const e = await rejection(new ResendSender({ apiKey: "k", fetch: hang, timeoutMs: 20 }).send(mail()));
    expect(e).toBeInstanceOf(TransientMailError);
  });
});

describe("CloudflareEmailSender", () => {
  it("hands the binding one structured message with both parts", async () => {
    const b = recordingBinding();
    const res = await new CloudflareEmailSender(b.binding).send(
      mail({ from: "Scaff Bot <scaff@acme.test>", text: "Hello text", html: "<p>Hello html</p>" }),
    );
    expect(res).toEqual({ providerMessageId: "cf-1@acme.test" });
    expect(b.sent).toEqual([
      {
        from: { email: "scaff@acme.test", name: "Scaff Bot" },
        to: "editor@acme.test",
        subject: "Approval needed: Review (Content review)",
        text: "Hello text",
        html: "<p>Hello html</p>",
      },
    ]);
  });

  it("passes a bare sender address as a string", async () => {
    const b = recordingBinding();
    await new CloudflareEmailSender(b.binding).send(mail({ from: "scaff@acme.test" }));
    expect(b.sent[0]?.from).toBe("scaff@acme.test");
  });

  it.each([
    ["E_RATE_LIMIT_EXCEEDED", TransientMailError],
    ["E_INTERNAL_SERVER_ERROR", TransientMailError],
    ["E_DELIVERY_FAILED", TransientMailError],
    ["E_SENDER_NOT_VERIFIED", PermanentMailError],
    ["E_RECIPIENT_SUPPRESSED", PermanentMailError],
    ["E_VALIDATION_ERROR", PermanentMailError],
  ])("maps binding error %s to %o", async (code, errorClass) => {
    const b = recordingBinding(() => codeError(code, "nope"));
    const e = await rejection(new CloudflareEmailSender(b.binding).send(mail()));
    expect(e).toBeInstanceOf(errorClass);
    expect((e as Error).message).toContain(code);
  });

  it("treats an error without a code (e.g. a dropped connection) as transient", async () => {
    const b = recordingBinding(() => new Error("internal error"));
    expect(await rejection(new CloudflareEmailSender(b.binding).send(mail()))).toBeInstanceOf(
      TransientMailError,
    );
  });
});

describe("createEmailSender", () => {
  const misconfigured = (fn: () => unknown): AppError => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe("misconfigured");
      return e as AppError;
    }
    throw new Error("expected AppError(misconfigured)");
  };

  it("defaults to the outbox (also the project's configured provider)", () => {
    expect(createEmailSender({}).name).toBe("outbox");
    expect(createEmailSender({ EMAIL_PROVIDER: "" }).name).toBe("outbox");
    expect(createEmailSender({ EMAIL_PROVIDER: " Outbox " }).name).toBe("outbox");
    expect(createEmailSender(env).name).toBe("outbox");
  });

  it("builds a Resend sender that uses the key, the injected fetch and base URL", async () => {
    const f = recordingFetch([() => Response.json({ id: "re_9" })]);
    const sender = createEmailSender(
      { EMAIL_PROVIDER: "resend", RESEND_API_KEY: "re_live" },
      { fetch: f.fn, resendBaseUrl: "http://fake.resend" },
    );
    expect(sender.name).toBe("resend");
    expect(await sender.send(mail())).toEqual({ providerMessageId: "re_9" });
    expect(f.calls[0]?.url).toBe("http://fake.resend/emails");
    expect(f.calls[0]?.headers.get("authorization")).toBe("Bearer re_live");
  });

  it("fails loudly when resend has no API key", () => {
    const e = misconfigured(() => createEmailSender({ EMAIL_PROVIDER: "resend" }));
    expect(e.message).toContain("RESEND_API_KEY");
    misconfigured(() => createEmailSender({ EMAIL_PROVIDER: "resend", RESEND_API_KEY: "  " }));
  });

  it("builds a Cloudflare sender on env.EMAIL, and fails loudly without the binding", async () => {
    const b = recordingBinding();
    const sender = createEmailSender({ EMAIL_PROVIDER: "cloudflare", EMAIL: b.binding });
    expect(sender.name).toBe("cloudflare");
    await sender.send(mail());
    expect(b.sent).toHaveLength(1);
    expect(misconfigured(() => createEmailSender({ EMAIL_PROVIDER: "cloudflare" })).message).toContain(
      "EMAIL",
    );
  });

  it("rejects an unknown provider name", () => {
    const e = misconfigured(() => createEmailSender({ EMAIL_PROVIDER: "sendgrid" }));
    expect(e.message).toContain("sendgrid");
  });
});

describe("links in emails", () => {
  it("need PUBLIC_BASE_URL: without it minting a link is a misconfiguration naming the variable", () => {
    const unset = { ...env, PUBLIC_BASE_URL: "" } as Env;
    let error: unknown;
    try {
      publicBaseUrl(unset);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("misconfigured");
    expect((error as AppError).message).toContain("PUBLIC_BASE_URL");
    // A status body may use the origin its request came to; a configured URL wins, without trailing slash.
    expect(publicBaseUrl(unset, "http://127.0.0.1:9999")).toBe("http://127.0.0.1:9999");
    expect(publicBaseUrl({ ...env, PUBLIC_BASE_URL: "https://scaff.example/" } as Env, "http://x")).toBe(
      "https://scaff.example",
    );
  });
});
