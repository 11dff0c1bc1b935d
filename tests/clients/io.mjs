// The contract of every script here with tests/test_clients.py: one JSON object in on stdin, one
// JSON object out as the last line of stdout. The scripts report what the client did; the Python
// tests assert on it, so a failure reads as a pytest diff rather than a node stack trace.
import { readFileSync } from "node:fs";

export function readInput() {
  return JSON.parse(readFileSync(0, "utf8"));
}

export function report(result) {
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

export function describeError(error) {
  if (Array.isArray(error)) return error.map((e) => e.message ?? String(e));
  if (error?.code !== undefined && error?.reason !== undefined) return [`close ${error.code}: ${error.reason}`];
  return [error?.message ?? String(error)];
}

export async function postGraphQL(url, body, headers = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return response.json();
}
