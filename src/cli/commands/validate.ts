// `sim validate <file..>`: loads each scenario (schema, semantics, limits, traces) and says ok or lists every
// problem; for a valid one it also prints notes on draws the simulator will clamp.

import type { CommandModule } from "yargs";
import { excerpt } from "../../input/quote.ts";
import { ExitCode, exitCodeFor, reportError } from "../exit.ts";

interface Args {
  readonly file: string[];
}

export function validateCommand(setExit: (code: number) => void): CommandModule<object, Args> {
  return {
    command: "validate <file..>",
    describe: "Check scenario files without running them",
    builder: (y) =>
      y
        .positional("file", {
          type: "string",
          array: true,
          demandOption: true,
          describe: "scenario YAML file(s)",
        })
        .example("$0 validate scenarios/churn.yaml", "check one scenario")
        .example("$0 validate scenarios/*.yaml", "check every shipped scenario") as never,
    handler: async (args) => {
      const { formatIssue, loadScenario } = await import("../../scenario/load.ts");
      let worst: number = ExitCode.ok;
      for (const file of args.file) {
        try {
          const loaded = loadScenario(file);
          const s = loaded.scenario;
          const peers = s.peers.reduce((n, g) => n + g.count, 0);
          const servers = s.servers.reduce((n, g) => n + g.count, 0);
          process.stdout.write(
            `ok ${excerpt(file, 200)}: ${s.name}, ${peers} peer(s), ${servers} server(s)${s.origin !== null ? ", an origin" : ""}, ` +
              `strategies ${s.strategies.join(", ")}\n`,
          );
          for (const note of loaded.notes ?? []) process.stdout.write(`note: ${formatIssue(note)}\n`);
        } catch (error) {
          const code = exitCodeFor(error);
          if (code === ExitCode.internal) throw error;
          reportError(error);
          worst = Math.max(worst, code);
        }
      }
      setExit(worst);
    },
  };
}
