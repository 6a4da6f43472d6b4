// The aws-local-stepfunctions peer of bench/machine_bench.c: reads commands
// on stdin and answers one line each on stdout.
//   load DEF INPUTS -> the definition (a file) and the inputs (a file of JSON
//                      lines); builds the StateMachine that "reuse" runs
//   reuse N         -> runs inputs 0..N-1 on that one StateMachine, as a user
//                      who builds it once does (timed by the caller)
//   new N           -> runs inputs 0..N-1, each on a new StateMachine (its
//                      definition validated each time)
//   check           -> "COUNT FNV" of the last run's outputs: FNV-1a 64 over
//                      their texts, as machine_bench.c hashes ours
// Like ours (aev_machine_start takes JSON text, aev_execution_output gives
// JSON text), each execution parses its input text and writes its output as
// text.
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const { StateMachine } = require('aws-local-stepfunctions');

let def, inputs, shared, results = [];
function fnv(h, s) {
  const bytes = Buffer.from(s, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    h ^= BigInt(bytes[i]);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const [cmd, a, b] = line.split(' ');
  if (cmd === 'load') {
    def = JSON.parse(fs.readFileSync(a, 'utf8'));
    inputs = fs.readFileSync(b, 'utf8').split('\n').filter((l) => l);
    shared = new StateMachine(def);
    const pkg = path.join(process.env.NODE_PATH, 'aws-local-stepfunctions', 'package.json');
    process.stdout.write('ok ' + JSON.parse(fs.readFileSync(pkg, 'utf8')).version + '\n');
  } else if (cmd === 'reuse' || cmd === 'new') {
    const n = +a;
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      const sm = cmd === 'new' ? new StateMachine(def) : shared;
      out[i] = JSON.stringify(await sm.run(JSON.parse(inputs[i])).result);
    }
    results = out;
    process.stdout.write('done\n');
  } else if (cmd === 'check') {
    let h = 0xcbf29ce484222325n;
    for (const r of results) h = fnv(h, r);
    process.stdout.write(results.length + ' ' + h.toString(16) + '\n');
    results = [];
  } else {
    process.stdout.write('error unknown command\n');
  }
});
