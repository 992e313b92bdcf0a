/**
 * Merges Prometheus text from several processes into one exposition: the JobManager's
 * /metrics shows its own metrics and every TaskManager's. Samples are grouped by metric
 * family, and each family's HELP and TYPE lines appear once, as the format requires.
 */
export function mergePrometheusTexts(texts: readonly string[]): string {
  const families = new Map<string, { meta: string[]; samples: string[] }>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { meta: [], samples: [] }));
    return f;
  };
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (meta) {
        const f = family(meta[2]!);
        if (!f.meta.some((m) => m.startsWith(`# ${meta[1]} `))) f.meta.push(line);
        continue;
      }
      if (line.startsWith('#')) continue;
      const name = /^[^{\s]+/.exec(line)![0];
      family(name).samples.push(line);
    }
  }
  let out = '';
  for (const f of families.values()) out += [...f.meta, ...f.samples].join('\n') + '\n';
  return out;
}
