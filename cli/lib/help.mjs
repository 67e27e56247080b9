// The help texts: `scaff --help` and `scaff <command> --help`.

export const MAIN = `scaff: validate, push and run Scaff workflows from a terminal

Usage: scaff <command> [options]

Commands:
  validate <file…>          check workflow files offline (same checks as the server)
  push <file…>              create workflows, or save a new version when a file changed
  run <workflow>            start a run; --wait follows it to the end
  status <run_id>           a run's status (and its resume link while it waits)
  events <run_id>           a run's events; --follow until the run ends
  waits                     the waits inbox: forms, approvals and fixes people are asked for

Options for every command:
  --json                    print JSON instead of text
  -h, --help                help for a command

Settings (all commands but validate):
  SCAFF_URL                 the server, e.g. http://127.0.0.1:8787
  SCAFF_API_KEY             an API key from the server's API_KEYS

Exit codes: 0 ok, 1 failed (invalid file, API error, run not completed), 2 usage or connection error.
More: docs/cli.md`;

export const COMMANDS = {
  validate: `Usage: scaff validate <file…> [--json]

Checks each workflow file (.yaml, .yml or .json) offline with the server's own validator and prints
every problem as  file:line:col path message . Exit 1 when a file is invalid.`,
  push: `Usage: scaff push <file…> [--json]

Creates each workflow, or saves a new version when the stored source differs from the file.
An unchanged file is left alone, so pushing twice is safe. Exit 1 when a file is refused.`,
  run: `Usage: scaff run <workflow> [--input key=value]… [--inputs file.json] [--profile key=value]…
                 [--version N] [--idempotency-key KEY] [--wait] [--json]

Starts a run of the workflow (its latest version unless --version).
  --input key=value         one input; a value that is valid JSON is that JSON (n=3, ok=true, tags='["a"]'),
                            anything else is text; repeat for more; overrides --inputs
  --inputs file.json        inputs from a JSON object in a file
  --profile key=value       who the run is for, e.g. --profile email=ana@example.com
  --idempotency-key KEY     retrying with the same key and body returns the same run
  --wait                    follow the run: print its events and each resume link, until it ends;
                            with --json, one JSON object per line
Exit 1 when the run ends other than completed (failed, rejected, cancelled).`,
  status: `Usage: scaff status <run_id> [--json]

Prints the run's status; a waiting run shows the step it waits at and its resume link.`,
  events: `Usage: scaff events <run_id> [--follow] [--json]

Prints the run's events, oldest first. --follow keeps printing until the run ends (exit 1 unless it
completes); with --json, one JSON object per line.`,
  waits: `Usage: scaff waits [--status open|closed] [--workflow ID] [--recipient EMAIL] [--limit N]
                   [--cursor C] [--json]

Lists waits across runs, newest first (GET /v1/waits): each wait's id, run, workflow, step and type,
whether it is open (and until when) and its recipients with where each stands.
  --status open|closed      only open or only closed waits
  --workflow ID             only waits of this workflow
  --recipient EMAIL         only waits that ask this address
  --limit N                 waits per page (1-100, default 20); --cursor C for the next page`,
};
