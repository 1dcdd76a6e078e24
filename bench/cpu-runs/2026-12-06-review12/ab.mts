const roots = ['/tmp/old', '/work/main']; // a worktree of the old commit at /tmp/old (node_modules linked)
const mods = await Promise.all(roots.map(async (r) => ({
  r,
  bench: await import(`${r}/bench/networks.ts`),
  eng: await import(`${r}/src/engine/cpu/engine.ts`),
})));
const out: Record<string, number[]> = {};
for (let rep = 0; rep < 4; rep++) {
  for (const m of mods) {
    for (const s of m.bench.NET_SETTINGS) {
      for (const prec of ['cpu64', 'cpu'] as const) {
        const plan = await m.bench.netPlan(s, false);
        const e = new m.eng.CpuEngine(prec, { workers: 0, spawn: null });
        const t = performance.now();
        await e.run(plan);
        const secs = (performance.now() - t) / 1000;
        const k = `${m.r === '/tmp/old' ? 'old' : 'new'} ${s.name} ${prec}`;
        (out[k] ??= []).push(Math.round((plan.runs * plan.spec.steps) / secs));
        await e.dispose?.();
      }
    }
  }
}
for (const [k, v] of Object.entries(out)) console.log(k, v.join(' '), 'best', Math.max(...v));
