// Runs graphql-http's GraphQL-over-HTTP audit suite against a running server and prints one JSON
// array of {id, name, status, reason?, httpStatus?, body?} on stdout. Usage: node audit.mjs URL
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:8000/graphql');
  process.exit(2);
}

const results = await auditServer({ url });
const report = await Promise.all(
  results.map(async (result) => {
    if (result.status === 'ok') return { id: result.id, name: result.name, status: 'ok' };
    let body = '';
    try {
      body = (await result.response.text()).slice(0, 500);
    } catch {
      // the audit already read the body
    }
    return {
      id: result.id,
      name: result.name,
      status: result.status,
      reason: result.reason,
      httpStatus: result.response.status,
      body,
    };
  }),
);
console.log(JSON.stringify(report));
