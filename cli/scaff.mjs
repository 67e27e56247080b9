#!/usr/bin/env node
// `scaff`: the command line for Scaff (docs/cli.md). Parses the command line, runs one command and
// turns what it ends with into an exit code: 0 ok, 1 failed, 2 usage or connection error.
import { parseArgs } from "node:util";
import { Failure, UsageError } from "./lib/errors.mjs";
import { COMMANDS, MAIN } from "./lib/help.mjs";
import { pushCommand } from "./lib/push.mjs";
import { eventsCommand, runCommand, statusCommand } from "./lib/runs.mjs";
import { validateCommand } from "./lib/validate.mjs";
import { waitsCommand } from "./lib/waits.mjs";

const COMMON = { json: { type: "boolean" }, help: { type: "boolean", short: "h" } };
const OPTIONS = {
  validate: {},
  push: {},
  run: {
    input: { type: "string", multiple: true },
    inputs: { type: "string" },
    profile: { type: "string", multiple: true },
    version: { type: "string" },
    "idempotency-key": { type: "string" },
    wait: { type: "boolean" },
  },
  status: {},
  events: { follow: { type: "boolean", short: "f" } },
  waits: {
    status: { type: "string" },
    workflow: { type: "string" },
    recipient: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
  },
};

const HANDLERS = {
  validate: (args, opts) => validateCommand(args, opts),
  push: (args, opts) => pushCommand(args, opts),
  run: runCommand,
  status: statusCommand,
  events: eventsCommand,
  waits: waitsCommand,
};

function parse(command, argv) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...COMMON, ...OPTIONS[command] },
      allowPositionals: true,
      strict: true,
    });
    return { opts: values, args: positionals };
  } catch (err) {
    throw new UsageError(err.message.replace(/\. To specify a positional.*$/s, ""), {
      hint: `scaff ${command} --help`,
    });
  }
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    console.log(rest[0] && COMMANDS[rest[0]] ? COMMANDS[rest[0]] : MAIN);
    return;
  }
  if (!Object.hasOwn(HANDLERS, command)) {
    throw new UsageError(`unknown command "${command}"`, { hint: "scaff --help lists the commands" });
  }
  const { opts, args } = parse(command, rest);
  if (opts.help) {
    console.log(COMMANDS[command]);
    return;
  }
  await HANDLERS[command](args, opts);
}

function report(err) {
  if (err instanceof Failure) {
    if (!err.quiet) console.error(`scaff: ${err.message}`);
    for (const d of err.details ?? []) console.error(`  ${d.path ? `${d.path}: ` : ""}${d.message}`);
    return 1;
  }
  if (err instanceof UsageError) {
    console.error(`scaff: ${err.message}`);
    if (err.hint) console.error(`  ${err.hint}`);
    return 2;
  }
  console.error(`scaff: unexpected error: ${err?.stack ?? err}`);
  return 1;
}

main(process.argv.slice(2)).then(
  () => {
    process.exitCode = 0;
  },
  (err) => {
    process.exitCode = report(err);
  },
);
