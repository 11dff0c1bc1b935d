// GraphQL Code Generator (typescript + typescript-operations) pointed at the live URL, as a
// frontend's codegen.ts would be. Each example operation gets an output of its own: codegen
// validates an output's documents together, and the README's operations are anonymous, each meant
// to be sent alone.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "@graphql-codegen/cli";
import { describeError, readInput, report } from "./io.mjs";

// strictScalars: a custom scalar without a mapping fails the build instead of becoming `any`.
const CONFIG = { strictScalars: true, scalars: { Date: "string", DateTime: "string" } };

function scalarTypes(content) {
  const types = {};
  for (const [, name, input, output] of content.matchAll(/^ {2}(\w+): \{ input: ([^;]+); output: ([^;]+); \}/gm)) {
    types[name] = { input, output };
  }
  return types;
}

const { url, documents, outDir } = readInput();
mkdirSync(outDir, { recursive: true });
const generates = {};
Object.entries(documents).forEach(([name, text], index) => {
  const documentPath = join(outDir, `operation${index}.graphql`);
  writeFileSync(documentPath, text);
  generates[join(outDir, `${index}.ts`)] = {
    documents: [documentPath],
    plugins: ["typescript", "typescript-operations"],
    config: CONFIG,
    name,
  };
});
for (const output of Object.values(generates)) delete output.name;

let result;
try {
  const files = await generate({ schema: url, silent: true, generates }, true);
  const names = Object.keys(documents);
  result = {
    errors: [],
    files: files.map((file, index) => ({
      document: names[index],
      filename: file.filename,
      scalars: scalarTypes(file.content),
      operationTypes: [...file.content.matchAll(/^export type (\w+(?:Query|Mutation|Subscription)) = /gm)].map((m) => m[1]),
    })),
  };
} catch (error) {
  const messages = describeError(error).concat((error.errors ?? []).map((e) => e.message ?? String(e)));
  result = { errors: [...new Set(messages)], files: [] };
}
report(result);
