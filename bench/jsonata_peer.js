// The jsonata-js peer of bench/jsonata_bench.c: reads commands on stdin and
// answers one line each on stdout.
//   load G PATH EXPR  -> compile EXPR for group G, load its inputs (a JSON array)
//   run G             -> evaluate G's expression over every input (timed by the caller)
//   check G           -> "COUNT CHECKSUM" of the last run's results
// Each input doc is evaluated as Step Functions does: $states.input bound.
const fs = require('fs');
const readline = require('readline');
const jsonata = require('jsonata');

const groups = {};
const rl = readline.createInterface({ input: process.stdin });
function fnv(h, s) {
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i) & 0xff);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}
rl.on('line', async (line) => {
  const parts = line.split(' ');
  const g = parts[1];
  if (parts[0] === 'load') {
    const docs = JSON.parse(fs.readFileSync(parts[2], 'utf8'));
    groups[g] = { expr: jsonata(parts.slice(3).join(' ')), docs, bindings: docs.map((d) => ({ states: { input: d } })), results: [] };
    process.stdout.write('ok ' + jsonata.version + '\n');
  } else if (parts[0] === 'run') {
    const grp = groups[g];
    const out = new Array(grp.docs.length);
    for (let i = 0; i < grp.docs.length; i++) out[i] = await grp.expr.evaluate(grp.docs[i], grp.bindings[i]);
    grp.results = out;
    process.stdout.write('done\n');
  } else if (parts[0] === 'check') {
    let n = 0, h = 0xcbf29ce484222325n;
    for (const r of groups[g].results) {
      if (r === undefined) continue;
      n++;
      h = fnv(h, JSON.stringify(r));
    }
    process.stdout.write(n + ' ' + h.toString(16) + '\n');
  }
});
