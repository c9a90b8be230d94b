// `sim strategies`: the strategy names a scenario or --strategy may use, with one-line descriptions; with
// --strategy-module, the file's strategies too (a quick way to check that a module loads).

import type { CommandModule } from "yargs";
import { STRATEGY_MODULE_OPTION, strategyModuleFlag } from "../run-options.ts";

interface Args {
  readonly strategyModule?: string;
}

/** One line of a description from a user's code: control characters escaped, at most 200 characters. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const cut = flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  return cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function strategiesCommand(): CommandModule<object, Args> {
  return {
    command: "strategies",
    describe: "List the download strategies",
    builder: (y) =>
      y
        .option("strategy-module", STRATEGY_MODULE_OPTION)
        .example("$0 strategies", "list names and what each strategy does")
        .example("$0 strategies --strategy-module mine.ts", "the built-in strategies and those of mine.ts") as never,
    handler: async (args) => {
      const module = await strategyModuleFlag(args.strategyModule);
      const { strategyInfos } = await import("../../scenario/strategy-names.ts");
      const infos = [
        ...strategyInfos(),
        ...(module?.entries.map((e) => ({ name: e.name, description: `${oneLine(e.description)} (${module.file})` })) ?? []),
      ];
      const width = Math.max(0, ...infos.map((s) => s.name.length));
      for (const s of infos)
        process.stdout.write(`${s.name.padEnd(width)}  ${s.description}`.trimEnd() + "\n");
    },
  };
}
