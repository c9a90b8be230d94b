// `sim strategies`: the strategy names a scenario or --strategy may use, with one-line descriptions.

import type { CommandModule } from "yargs";

export function strategiesCommand(): CommandModule {
  return {
    command: "strategies",
    describe: "List the download strategies",
    builder: (y) => y.example("$0 strategies", "list names and what each strategy does"),
    handler: async () => {
      const { strategyInfos } = await import("../../scenario/strategy-names.ts");
      const infos = strategyInfos();
      const width = Math.max(0, ...infos.map((s) => s.name.length));
      for (const s of infos)
        process.stdout.write(`${s.name.padEnd(width)}  ${s.description}`.trimEnd() + "\n");
    },
  };
}
