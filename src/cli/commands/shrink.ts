// `sim shrink SCENARIO --seed N --strategy S --until EXPR [--budget RUNS] [--out FILE]`: the smallest world
// that still shows a failure (src/harness/shrink.ts). Bad input exits 2 before any run: a predicate that does
// not parse or type-check (predicate.ts says the column), an unknown strategy, an --out that is a folder or a
// file sim did not write. A predicate that does not hold on the original run exits 1. It writes the minimal
// scenario, prints how much smaller it got and the commands that replay and explain it.

import type { CommandModule } from "yargs";
import { EXIT_CODES_TEXT, ExitCode, UsageError } from "../exit.ts";
import { STRATEGY_MODULE_OPTION, strategyModuleFlag } from "../run-options.ts";
import { quote } from "../../input/quote.ts";

interface Args {
  readonly scenario: string;
  readonly seed: number;
  readonly strategy: string;
  readonly until: string;
  readonly budget: number;
  readonly out?: string;
  readonly strategyModule?: string;
}

/** Default --budget: the issue's target is a minimal world within 300 runs. */
export const DEFAULT_SHRINK_BUDGET = 300;
/** Largest --budget accepted. */
export const MAX_SHRINK_BUDGET = 100_000;


const pct = (a: number, b: number) => (b === 0 ? "" : ` (${((100 * a) / b).toFixed(1)}%)`);

export function shrinkCommand(setExit: (code: number) => void): CommandModule<object, Args> {
  return {
    command: "shrink <scenario>",
    describe: "Shrink a failing run to a minimal scenario: the world as explicit events, reduced while the failure holds",
    builder: (y) =>
      y
        .positional("scenario", { type: "string", demandOption: true, describe: "scenario YAML file" })
        .option("seed", { type: "number", demandOption: true, describe: "the seed whose run fails" })
        .option("strategy", { type: "string", demandOption: true, describe: "the strategy whose run fails" })
        .option("until", {
          type: "string",
          demandOption: true,
          describe: 'what "fails" means: e.g. "stall_count > 0", "failed", "completion_s > 1.2 * static.completion_s", \'error ~ "invariant"\'',
        })
        .option("budget", { type: "number", default: DEFAULT_SHRINK_BUDGET, describe: "most simulation runs to spend" })
        .option("out", { type: "string", describe: "the minimal scenario [default: reports/shrink/<name>-<strategy>-seed<N>.yaml]" })
        .option("strategy-module", STRATEGY_MODULE_OPTION)
        .example("$0 shrink scenarios/churn.yaml --seed 4 --strategy static --until 'stall_count > 0'", "the smallest world where static stalls")
        .example("$0 shrink scenarios/flaky.yaml --seed 2 --strategy pull --until 'completion_s > 1.2 * static.completion_s'", "pull 20% slower than static")
        .epilogue(EXIT_CODES_TEXT) as never,
    handler: async (args) => {
      if (!Number.isInteger(args.seed) || args.seed < 0) throw new UsageError(`--seed expects an integer ≥ 0, found ${args.seed}`);
      if (!Number.isInteger(args.budget) || args.budget < 1 || args.budget > MAX_SHRINK_BUDGET) {
        throw new UsageError(`--budget expects an integer from 1 to ${MAX_SHRINK_BUDGET}, found ${args.budget}`);
      }
      const strategyModule = await strategyModuleFlag(args.strategyModule);
      const { strategyNames } = await import("../../scenario/strategy-names.ts");
      const names = [...strategyNames(), ...(strategyModule?.entries.map((e) => e.name) ?? [])];
      if (!names.includes(args.strategy)) throw new UsageError(`--strategy: unknown strategy ${quote(args.strategy)}; valid: ${names.join(", ")}`);
      const { parsePredicate, PredicateError } = await import("../../harness/predicate.ts");
      let predicate: ReturnType<typeof parsePredicate>;
      try {
        predicate = parsePredicate(args.until, names);
      } catch (error) {
        if (error instanceof PredicateError) throw new UsageError(`--until: ${error.message}`);
        throw error;
      }
      const { loadScenario, readScenarioInput } = await import("../../scenario/load.ts");
      const loaded = loadScenario(args.scenario, { strategyNames: names });
      const out = args.out ?? `reports/shrink/${loaded.scenario.name}-${args.strategy}-seed${args.seed}.yaml`;
      const { checkScenarioTarget, writeScenarioFile } = await import("../scenario-file-out.ts");
      checkScenarioTarget("out", out);
      const { input, dir } = readScenarioInput(args.scenario);
      const { shrink, NotFailingError } = await import("../../harness/shrink.ts");
      const { strategyFactory } = await import("../../harness/strategy-module.ts");
      let result: ReturnType<typeof shrink>;
      try {
        result = shrink({
          raw: input,
          file: args.scenario,
          dir,
          seed: args.seed,
          strategy: args.strategy,
          predicate,
          budget: args.budget,
          strategyNames: names,
          ...(strategyModule !== null ? { strategyFactory: strategyFactory(strategyModule.entries) } : {}),
          onProgress: process.stderr.isTTY
            ? (runs, best) => process.stderr.write(`\rshrinking: ${runs} runs, ${best.events} events, ${best.nodes} nodes, ${best.blocks} blocks   `)
            : undefined,
        });
      } catch (error) {
        if (error instanceof NotFailingError) {
          if (process.stderr.isTTY) process.stderr.write("\n");
          process.stderr.write(`${error.message}\n`);
          setExit(ExitCode.checkFailed);
          return;
        }
        throw error;
      } finally {
        if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
      }
      const { scenarioYaml } = await import("../../harness/schedule-file.ts");
      const { shellWord } = await import("../../harness/check.ts");
      const strategies = result.strategies.join(",");
      const folder = `reports/shrink/${loaded.scenario.name}-${args.strategy}-seed${args.seed}`;
      const module = args.strategyModule !== undefined ? ` --strategy-module ${shellWord(args.strategyModule)}` : "";
      const replay = `npx sim run ${shellWord(out)} --strategy ${shellWord(strategies)} --seed ${args.seed} --seeds 1${module} --trace --out ${shellWord(folder)}`;
      const explain = `npx sim explain ${shellWord(folder)} --strategy ${shellWord(args.strategy)}`;
      const o = result.original;
      const s = result.shrunk;
      const comment = [
        `Shrunk by \`sim shrink ${args.scenario} --seed ${args.seed} --strategy ${args.strategy} --until ${shellWord(args.until)}\`:`,
        `world events ${o.events} → ${s.events}, nodes ${o.nodes} → ${s.nodes}, blocks ${o.blocks} → ${s.blocks}, in ${result.runs} runs.`,
        `The failure: ${result.shrunkValues || "(not re-run: the budget was spent)"}; originally ${result.originalValues}.`,
        `Replay: ${replay}`,
      ];
      await writeScenarioFile(out, scenarioYaml(result.scenario, comment));
      process.stdout.write(
        `world events ${o.events} → ${s.events}${pct(s.events, o.events)}, nodes ${o.nodes} → ${s.nodes}, blocks ${o.blocks} → ${s.blocks}; ` +
          `${result.runs} runs${result.budgetSpent ? ` (the budget of ${args.budget} runs ran out: the smallest found so far)` : ""}\n` +
          `originally: ${result.originalValues}\n${result.shrunkValues !== "" ? `now:        ${result.shrunkValues}\n` : ""}` +
          `wrote ${out}\nreplay:  ${replay}\nexplain: ${explain}\n`,
      );
      setExit(ExitCode.ok);
    },
  };
}
