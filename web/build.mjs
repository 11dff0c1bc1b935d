// Bundles GraphiQL (and the Monaco workers it needs) into service/static/build/.
// Run by scripts/build-web after `npm ci`; the output is served by service/web.py and never committed.
import { rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const outdir = fileURLToPath(new URL("../service/static/build/", import.meta.url));
const common = {
  bundle: true,
  minify: true,
  legalComments: "linked", // keep the licences beside the bundles, out of the bytes served
  target: "es2022",
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
};

await rm(outdir, { recursive: true, force: true });
await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: { graphiql: "src/graphiql.jsx" },
    outdir,
    format: "esm",
    jsx: "automatic",
    // Monaco's codicon font: copied beside the CSS rather than inlined (it is 80 kB).
    loader: { ".ttf": "file" },
    assetNames: "[name]-[hash]",
  }),
  // Monaco runs its language services in web workers; each one is a separate classic script.
  esbuild.build({
    ...common,
    entryPoints: {
      "editor.worker": "monaco-editor/esm/vs/editor/editor.worker.js",
      "json.worker": "monaco-editor/esm/vs/language/json/json.worker.js",
      "graphql.worker": "monaco-graphql/esm/graphql.worker.js",
    },
    outdir,
    format: "iife",
  }),
]);
// Written last: scripts/build-web compares its age with the inputs to skip an up-to-date build.
await writeFile(`${outdir}/.built`, `${new Date().toISOString()}\n`);
