// graphql-js 16, as every JavaScript GraphQL tool uses it: the live introspection turned into a
// client schema, every example operation validated against it, and schema/schema.graphql built.
// Run with two releases: the long-deployed one most lock files hold and the newest 16.x.
import { readFileSync } from "node:fs";
import { describeError, postGraphQL, readInput, report } from "./io.mjs";

const RELEASES = ["graphql", "graphql-16-15"];

function attempt(build) {
  try {
    return { value: build(), errors: [] };
  } catch (error) {
    return { value: null, errors: describeError(error) };
  }
}

function validateAll(graphql, schema, documents) {
  const results = {};
  for (const [name, text] of Object.entries(documents)) {
    const parsed = attempt(() => graphql.parse(text));
    results[name] = parsed.value ? graphql.validate(schema, parsed.value).map((e) => e.message) : parsed.errors;
  }
  return results;
}

function scalarUrls(graphql, schema) {
  const urls = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (graphql.isScalarType(type)) urls[type.name] = type.specifiedByURL ?? null;
  }
  return urls;
}

// The first line where the two schemas, printed in one order, differ; null when they are the same.
// (printSchema leaves out the specified directives, whose locations this graphql-js defines.)
function difference(graphql, expected, actual) {
  const print = (schema) => graphql.printSchema(graphql.lexicographicSortSchema(schema)).split("\n");
  const [left, right] = [print(expected), print(actual)];
  for (let line = 0; line < Math.max(left.length, right.length); line++) {
    if (left[line] !== right[line]) return { line: line + 1, sdl: left[line] ?? null, live: right[line] ?? null };
  }
  return null;
}

async function check(graphql, url, sdlText, documents) {
  const query = graphql.getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
  });
  const introspection = await postGraphQL(url, { query });
  const client = introspection.data
    ? attempt(() => graphql.buildClientSchema(introspection.data))
    : { value: null, errors: describeError(introspection.errors) };
  const sdl = attempt(() => graphql.buildSchema(sdlText));
  // Introspecting the client schema again is what tools that cache or forward a schema do
  // (codegen's introspection output, schema registries, gateways).
  const again = client.value ? graphql.executeSync({ schema: client.value, document: graphql.parse(query) }) : null;
  return {
    version: graphql.version,
    introspectionErrors: describeError(introspection.errors ?? []),
    clientSchemaErrors: client.errors,
    clientSchemaValidation: client.value ? graphql.validateSchema(client.value).map((e) => e.message) : null,
    reintrospectionErrors: again ? (again.errors ?? []).map((e) => e.message) : null,
    scalars: client.value ? scalarUrls(graphql, client.value) : null,
    validation: client.value ? validateAll(graphql, client.value, documents) : null,
    sdlErrors: sdl.errors,
    sdlValidation: sdl.value ? graphql.validateSchema(sdl.value).map((e) => e.message) : null,
    sdlDocumentValidation: sdl.value ? validateAll(graphql, sdl.value, documents) : null,
    sdlDifference: sdl.value && client.value ? difference(graphql, sdl.value, client.value) : null,
  };
}

const { url, sdlPath, documents } = readInput();
const sdlText = readFileSync(sdlPath, "utf8");
const results = {};
for (const name of RELEASES) {
  results[name] = await check(await import(name), url, sdlText, documents);
}
report(results);
