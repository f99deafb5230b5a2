// Lays out graphs with elkjs (Eclipse Layout Kernel) for benchmarks/bench_layout_engines.py.
// Reads [{id, graph, algorithm}] (ELK JSON graphs) on stdin; writes, for each, the nodes'
// top-left corners and the time elk.layout took (ms). Dev-only: elkjs is a devDependency.
import ELK from "elkjs/lib/elk.bundled.js";

const elk = new ELK();
let text = "";
process.stdin.on("data", (c) => (text += c));
process.stdin.on("end", async () => {
  const jobs = JSON.parse(text);
  const out = [];
  for (const job of jobs) {
    const t0 = performance.now();
    const g = await elk.layout(job.graph);
    const ms = performance.now() - t0;
    const nodes = {};
    for (const n of g.children || []) nodes[n.id] = [n.x, n.y, n.width, n.height];
    out.push({ id: job.id, ms, nodes });
  }
  process.stdout.write(JSON.stringify(out));
});
