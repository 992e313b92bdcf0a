/** JobGraph: operator chaining, plan hash determinism, stable operator ids from uids. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedProcessFunction, OutputTag, ProcessFunction, defineJob } from '../../src/api/index.ts';
import type { Collector, JobMain, ProcessContext } from '../../src/api/index.ts';
import { buildJobPlan, runJob } from '../../src/runtime/index.ts';
import type { JobGraph } from '../../src/runtime/graph/job-graph.ts';

async function graph(main: JobMain, parallelism = 1): Promise<JobGraph> {
  return (await buildJobPlan(defineJob(main), { parallelism })).jobGraph;
}

/** Each vertex as "p<parallelism>: kind > kind > ...". */
const shape = (g: JobGraph): string[] => g.vertices.map((v) => `p${v.parallelism}: ${v.operators.map((o) => o.kind).join(' > ')}`);
const edges = (g: JobGraph): string[] =>
  g.edges.map((e) => {
    const name = (id: string) => g.vertices.findIndex((v) => v.id === id);
    return `${name(e.source)} -${e.partitioner}-> ${name(e.target)}`;
  });

class Noop extends KeyedProcessFunction<number, number, number> {
  processElement(): void {}
}

test('forward edges of equal parallelism are chained into one vertex', async () => {
  const g = await graph((env) => {
    env
      .fromElements(1, 2)
      .map((v) => v)
      .filter(() => true)
      .collect('out');
  });
  assert.deepEqual(shape(g), ['p1: source > map > filter > sink']);
  assert.deepEqual(g.edges, []);
  // The vertex id is its head's id, and the chain lists the operators head first.
  assert.equal(g.vertices[0]!.id, g.vertices[0]!.chain[0]);
  assert.deepEqual(
    g.vertices[0]!.chain,
    g.vertices[0]!.operators.map((o) => o.id),
  );
});

test('no chaining across a different parallelism (the edge becomes rebalance)', async () => {
  // fromElements runs with parallelism 1; the rest takes the default 4
  const g = await graph((env) => {
    env
      .fromElements(1, 2)
      .map((v) => v)
      .filter(() => true)
      .collect('out');
  }, 4);
  assert.deepEqual(shape(g), ['p1: source', 'p4: map > filter > sink']);
  assert.deepEqual(edges(g), ['0 -rebalance-> 1']);

  const g2 = await graph((env) => {
    env
      .fromElements(1)
      .map((v) => v)
      .setParallelism(1)
      .map((v) => v)
      .setParallelism(2)
      .collect('out')
      .setParallelism(2);
  });
  assert.deepEqual(shape(g2), ['p1: source > map', 'p2: map > sink']);
  assert.deepEqual(edges(g2), ['0 -rebalance-> 1']);
});

test('no chaining across keyBy or an explicit rebalance/rescale/broadcast', async () => {
  const g = await graph((env) => {
    env
      .fromElements(1, 2)
      .map((v) => v)
      .keyBy((v) => v)
      .process(new Noop())
      .rebalance()
      .map((v) => v)
      .rescale()
      .filter(() => true)
      .broadcast()
      .collect('out');
  });
  assert.deepEqual(shape(g), ['p1: source > map', 'p1: keyedProcess', 'p1: map', 'p1: filter', 'p1: sink']);
  assert.deepEqual(edges(g), ['0 -hash-> 1', '1 -rebalance-> 2', '2 -rescale-> 3', '3 -broadcast-> 4']);
});

test('disableChaining on an operator and on the whole job', async () => {
  const main: JobMain = (env) => {
    env
      .fromElements(1)
      .map((v) => v)
      .disableChaining()
      .filter(() => true)
      .collect('out');
  };
  assert.deepEqual(shape(await graph(main)), ['p1: source', 'p1: map', 'p1: filter > sink']);
  const all = await graph(async (env) => {
    env.disableOperatorChaining();
    await main(env, {});
  });
  assert.deepEqual(shape(all), ['p1: source', 'p1: map', 'p1: filter', 'p1: sink']);
  assert.deepEqual(edges(all), ['0 -forward-> 1', '1 -forward-> 2', '2 -forward-> 3']);
});

test('a side output is an edge of its own and is not chained', async () => {
  const tag = new OutputTag<number>('odd');
  const g = await graph((env) => {
    const main = env.fromElements(1, 2).process(
      new (class extends ProcessFunction<number, number> {
        processElement(v: number, ctx: ProcessContext, out: Collector<number>): void {
          if (v % 2) ctx.output(tag, v);
          else out.collect(v);
        }
      })(),
    );
    main.collect('even');
    main.getSideOutput(tag).collect('odd');
  });
  // The process operator has two out-edges, so neither sink is chained to it.
  assert.deepEqual(shape(g), ['p1: source > process', 'p1: sink', 'p1: sink']);
  assert.deepEqual(
    g.edges.map((e) => e.sideOutput),
    [undefined, 'odd'],
  );
});

test('union and connect inputs are separate vertices', async () => {
  const g = await graph((env) => {
    const a = env.fromElements(1);
    const b = env.fromElements(2);
    a.union(b)
      .map((v) => v)
      .collect('u');
    a.connect(b)
      .map({ map1: (x: number) => x, map2: (y: number) => y })
      .collect('c');
  });
  // a and b each feed two operators, so they are not chained to either.
  assert.deepEqual(shape(g), ['p1: source', 'p1: source', 'p1: map > sink', 'p1: coMap > sink']);
  assert.deepEqual(g.edges.map((e) => `${edges({ ...g, edges: [e] })[0]} input ${e.input}`), [
    '0 -forward-> 2 input 0',
    '0 -forward-> 3 input 0',
    '1 -forward-> 2 input 0',
    '1 -forward-> 3 input 1',
  ]);
});

const pipeline =
  (uid: string, name = 'double'): JobMain =>
  (env) => {
    env
      .fromElements(1, 2, 3)
      .uid('src')
      .keyBy((v) => v % 2)
      .process(new Noop())
      .name(name)
      .uid(uid)
      .collect('out');
  };

test('the plan hash is deterministic and changes with the plan', async () => {
  const h1 = (await graph(pipeline('p'), 2)).planHash;
  const h2 = (await graph(pipeline('p'), 2)).planHash;
  assert.match(h1, /^[0-9a-f]{64}$/);
  assert.equal(h1, h2); // same job built twice (fresh transformations and function objects)
  assert.notEqual((await graph(pipeline('q'), 2)).planHash, h1); // another uid
  assert.notEqual((await graph(pipeline('p', 'triple'), 2)).planHash, h1); // another name
  assert.notEqual((await graph(pipeline('p'), 3)).planHash, h1); // another parallelism
});

test('an operator id from a uid stays the same when unrelated operators are added before it', async () => {
  const idOf = (g: JobGraph, uid: string) => g.vertices.flatMap((v) => v.operators).find((o) => o.uid === uid)!.id;
  const before = await graph((env) => {
    env
      .fromElements(1)
      .map((v) => v)
      .uid('m')
      .collect('out');
  });
  const after = await graph((env) => {
    env.fromElements('unrelated').collect('other'); // a whole other pipeline declared first
    env
      .fromElements(1)
      .filter(() => true) // and an operator inserted in front
      .map((v) => v)
      .uid('m')
      .collect('out');
  });
  assert.equal(idOf(after, 'm'), idOf(before, 'm'));
  // Operators without a uid get generated ids, which do move with such changes.
  const firstSink = (g: JobGraph) => g.vertices.flatMap((v) => v.operators).find((o) => o.kind === 'sink' && o.name === 'Sink: Collect(out)')!.id;
  assert.notEqual(firstSink(after), firstSink(before));
});

test('map, flatMap and filter on a keyed stream keep records partitioned by key', async () => {
  const job = defineJob((env) => {
    const keyed = env.fromElements('a1', 'b2', 'a3', 'c4', 'b5').keyBy((s) => s[0]!);
    keyed.map((s) => s.toUpperCase()).collect('map');
    keyed.filter((s) => s !== 'c4').collect('filter');
    keyed.flatMap((s: string, out) => out.collect(s + s)).collect('flatMap');
  });
  const r = await runJob(job, { parallelism: 3 });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  assert.deepEqual([...(r.collected.get('map') ?? [])].sort(), ['A1', 'A3', 'B2', 'B5', 'C4']);
  assert.deepEqual([...(r.collected.get('filter') ?? [])].sort(), ['a1', 'a3', 'b2', 'b5']);
  assert.deepEqual([...(r.collected.get('flatMap') ?? [])].sort(), ['a1a1', 'a3a3', 'b2b2', 'b5b5', 'c4c4']);
});

test('a keyed stream can go straight to a sink, partitioned by key', async () => {
  const job = defineJob((env) => {
    env.fromElements('a', 'b', 'a', 'c').keyBy((s) => s).collect('keyed');
  });
  const r = await runJob(job, { parallelism: 2 });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  assert.deepEqual([...(r.collected.get('keyed') ?? [])].sort(), ['a', 'a', 'b', 'c']);
});
