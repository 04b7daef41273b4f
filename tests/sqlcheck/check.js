// Reads [{name, sql}] as JSON on stdin; parses each statement with node-sql-parser's BigQuery grammar;
// writes [{name, ok, error}] as JSON on stdout. Used by SqlPortabilityTests; `bash tests/run` installs the pinned
// parser (package-lock.json) with `npm ci` when node_modules is missing.
const { Parser } = require('node-sql-parser');
const parser = new Parser();
let input = '';
process.stdin.on('data', c => { input += c; });
process.stdin.on('end', () => {
  const out = JSON.parse(input).map(({ name, sql }) => {
    try {
      parser.astify(sql, { database: 'bigquery' });
      return { name, ok: true, error: null };
    } catch (e) {
      return { name, ok: false, error: String(e.message).split('\n')[0] };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
