// Where a ninja build's seconds went, from its .ninja_log (bench:layer-cache).
export interface EdgeSeconds {
  compile: number;
  tablegen: number;
  link: number;
  other: number;
  compiles: number;
  tablegens: number;
}

/** Pure: ninja's log (v5/v6: start, end, mtime, output, hash; ms) summed by the kind of output. */
export function edgeSeconds(log: string): EdgeSeconds {
  const e: EdgeSeconds = { compile: 0, tablegen: 0, link: 0, other: 0, compiles: 0, tablegens: 0 };
  const seen = new Set<string>();
  for (const l of log.split("\n")) {
    const [start, stop, , out] = l.split("\t");
    if (out === undefined || l.startsWith("#") || seen.has(out)) continue;
    seen.add(out);
    const s = (Number(stop) - Number(start)) / 1000;
    if (/\.(o|obj)$/.test(out)) {
      e.compile += s;
      e.compiles += 1;
    } else if (/\.inc(\.tmp)?$|\.inc\.d$|Gen[A-Za-z]*\.(h|cpp)$/.test(out)) {
      e.tablegen += s;
      e.tablegens += 1;
    } else if (/\.(a|so(\.\d+)*|dylib|lib|exe)$|(^|\/)bin\/[^/.]+$/.test(out)) e.link += s;
    else e.other += s;
  }
  return e;
}
