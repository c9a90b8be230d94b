// `sim schema`: prints the scenario JSON Schema (the same text as scenarios/schema.json).

import type { CommandModule } from "yargs";

export function schemaCommand(): CommandModule {
  return {
    command: "schema",
    describe: "Print the scenario JSON Schema (for editors and other tools)",
    builder: (y) => y.example("$0 schema > scenarios/schema.json", "refresh the editor schema"),
    handler: async () => {
      const { scenarioJsonSchemaText } = await import("../../scenario/json-schema.ts");
      process.stdout.write(scenarioJsonSchemaText());
    },
  };
}
