// GraphQL Code Generator pointed at the live URL, as a frontend's codegen.ts would be: the
// `typescript` plugin writes the schema's types, `typescript-operations` (standalone since its 6.0:
// it declares the enums and inputs its operations use) one file per example operation, and tsc
// type-checks the lot. Each operation gets a file of its own because codegen validates an output's
// documents together and the README's operations are anonymous, each meant to be sent alone.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "@graphql-codegen/cli";
import { describeError, readInput, report } from "./io.mjs";

// strictScalars: a custom scalar without a mapping fails the build instead of becoming `any`.
const CONFIG = { strictScalars: true, scalars: { Date: "string", DateTime: "string" } };
const TSC = fileURLToPath(new URL("node_modules/.bin/tsc", import.meta.url));

function scalarTypes(content) {
  const types = {};
  for (const [, name, input, output] of content.matchAll(/^ {2}(\w+): \{ input: ([^;]+); output: ([^;]+); \}/gm)) {
    types[name] = { input, output };
  }
  return types;
}

function operationTypes(content) {
  return [...content.matchAll(/^export type (\w+(?:Query|Mutation|Subscription)) = /gm)].map((match) => match[1]);
}

function typeCheck(filenames) {
  try {
    execFileSync(TSC, ["--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", ...filenames], {
      encoding: "utf8",
    });
    return [];
  } catch (error) {
    return (error.stdout || error.message).trim().split("\n");
  }
}

const { url, documents, outDir } = readInput();
mkdirSync(outDir, { recursive: true });
const schemaFile = join(outDir, "schema.ts");
const generates = { [schemaFile]: { plugins: ["typescript"], config: CONFIG } };
const operationFiles = Object.entries(documents).map(([name, text], index) => {
  const documentPath = join(outDir, `operation${index}.graphql`);
  writeFileSync(documentPath, text);
  const filename = join(outDir, `operation${index}.ts`);
  generates[filename] = { documents: [documentPath], plugins: ["typescript-operations"], config: CONFIG };
  return { document: name, filename };
});

let result;
try {
  const files = new Map((await generate({ schema: url, silent: true, generates }, true)).map((f) => [f.filename, f]));
  result = {
    errors: [],
    schema: { filename: schemaFile, scalars: scalarTypes(files.get(schemaFile)?.content ?? "") },
    operations: operationFiles.map(({ document, filename }) => ({
      document,
      filename,
      operationTypes: operationTypes(files.get(filename)?.content ?? ""),
    })),
    typeErrors: typeCheck([schemaFile, ...operationFiles.map((file) => file.filename)]),
  };
} catch (error) {
  const messages = describeError(error).concat((error.errors ?? []).map((e) => e.message ?? String(e)));
  result = { errors: [...new Set(messages)] };
}
report(result);
