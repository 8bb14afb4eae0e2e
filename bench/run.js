#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --json]`: how fast the tool is, in one process, against targets (issue 14).
// A bare node:http server answering 302 is measured in the same run as the floor; every figure is printed with
// its target and its ratio to the floor (latencies to one bare hop, rates to the bare server's rate, CLI wall
// times to a bare `node -e ""`), so runs on different machines compare by ratio. Kept out of the tests: a timed
// test fails on a busy machine, not on slow code. --quick (a few iterations) runs in CI so this cannot rot.
// Needs dist/ (npm run build); run with --expose-gc (the npm script does) for the memory figure.
// `--only <group>[,<group>]` measures only those groups: flows (in-process flows, check-signup, memory), lab
// (lab start) and cli (cold processes); the floors a group needs are measured with it.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLabConfig } from '../dist/lab/config.js';
import { loadProfiles } from '../dist/profiles/profile.js';
import { startLab } from '../dist/lab/start-lab.js';
import { runConnect } from '../dist/flows/connect/run.js';
import { runSignup } from '../dist/flows/signup/run.js';
import { runLoad } from '../dist/flows/load/run-load.js';
import { summarize } from '../dist/flows/load/stats.js';
import { seedUserPool } from '../dist/lab/user-pool.js';
import { loopbackFetch } from '../dist/util/loopback-fetch.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'codestream-auth.js');
const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const n = (quickCount, fullCount) => (quick ? quickCount : fullCount);
const GROUPS = ['flows', 'lab', 'cli'];
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg === -1 ? GROUPS : (process.argv[onlyArg + 1] ?? '').split(',').filter(Boolean);
const unknown = only.filter((g) => !GROUPS.includes(g));
if (only.length === 0 || unknown.length > 0) {
  console.error(
    `--only takes a comma-separated list of ${GROUPS.join(', ')}; got "${process.argv[onlyArg + 1] ?? ''}"`,
  );
  process.exit(2);
}
const wants = (group) => only.includes(group);
const MiB = 1024 * 1024;
// The memory figure's lab keeps this many entries per journal (the default is 10,000).
const MEMORY_RECORD_CAP = 1000;

// --- the floor -----------------------------------------------------------------------------------------------

async function bareServer() {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(302, { location: '/next' }).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

async function timed(fn) {
  const began = performance.now();
  await fn();
  return performance.now() - began;
}

/** `total` requests made by `concurrency` workers; the rate and how many answered as `ok` says. */
async function rate(total, concurrency, request) {
  let next = 0;
  let bad = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        if (!(await request())) bad++;
      }
    }),
  );
  return { perSecond: (total * 1000) / (performance.now() - began), bad };
}

async function floor() {
  const starts = [];
  for (let i = 0; i < n(2, 5); i++) starts.push(await timed(() => spawnNode(['-e', ''])));
  // The hop and the bare server's rate are the floors of the in-process figures alone.
  if (!wants('flows') && !wants('lab')) return { hop_ms_p50: NaN, rps_c64: NaN, node_start_ms: median(starts) };
  const bare = await bareServer();
  const hop = async () => {
    // The same client the lab's flows use, so the floor and the figures pay for the same requests.
    const res = await loopbackFetch(`${bare.url}/`, { redirect: 'manual' });
    await res.arrayBuffer();
    return res.status === 302;
  };
  for (let i = 0; i < 50; i++) await hop();
  const hops = [];
  for (let i = 0; i < n(200, 2000); i++) hops.push(await timed(hop));
  await rate(200, 64, hop); // the 64 connections opened before the rate is measured, as for check-signup
  const rps = await rate(n(1000, 10_000), 64, hop);
  bare.close();
  return { hop_ms_p50: median(hops), rps_c64: rps.perSecond, node_start_ms: median(starts) };
}

// --- helpers -------------------------------------------------------------------------------------------------

function median(xs) {
  return summarize(xs).p50;
}

function spawnNode(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`node ${args.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`)),
    );
  });
}

/** The least-squares slope of [x, y] points. */
function slope(points) {
  const mean = (f) => points.reduce((sum, p) => sum + f(p), 0) / points.length;
  const mx = mean((p) => p[0]);
  const my = mean((p) => p[1]);
  const sxy = points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
  const sxx = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

function gc() {
  globalThis.gc?.();
  globalThis.gc?.();
}

// --- the figures ---------------------------------------------------------------------------------------------

const [config, profiles] = await Promise.all([loadLabConfig(), loadProfiles()]);
const envs = config.environments.map((e) => e.name);
const deps = {
  config,
  profiles,
  fetch: loopbackFetch,
  now: Date.now,
  onEvent: () => undefined,
  secrets: { add: () => undefined },
};
const figures = {};
// kind: which floor the ratio is taken to; invalid: why the figure cannot be trusted (a failed flow).
const figure = (name, value, unit, target, kind, invalid) => (figures[name] = { value, unit, target, kind, invalid });
const atMost = (v) => ({ op: '<=', value: v });
const atLeast = (v) => ({ op: '>=', value: v });

const base = await floor();

async function measureFlows() {
  // A warm lab: every environment, the providers the flows use, JIT warmed by a few flows first.
  const labOptions = { config, profiles, providers: ['github'], envs, now: Date.now, fetch: loopbackFetch };
  const lab = await startLab(labOptions);
  let runId = 1;
  try {
    // A providerInfo slot takes one connect per lab (the isolation step checks it), so each connect has its own user.
    const users = seedUserPool(lab, n(25, 330), 'seq').map((u) => u.id);
    let failedConnects = 0;
    const connectOnce = async () => {
      const user = users.pop();
      const { outcome } = await runConnect({ provider: 'github', env: envs[0], user }, deps, lab);
      if (!outcome.ok) failedConnects++;
    };
    for (let i = 0; i < n(5, 30); i++) await connectOnce();
    failedConnects = 0;
    const connects = [];
    for (let i = 0; i < n(20, 300); i++) connects.push(await timed(connectOnce));
    const c = summarize(connects);
    const connectInvalid = failedConnects > 0 ? `${failedConnects} connects failed` : undefined;
    figure('connect_ms_p50', c.p50, 'ms', atMost(4), 'hop', connectInvalid);
    figure('connect_ms_p99', c.p99, 'ms', null, 'hop', connectInvalid);

    let failedSignups = 0;
    const signups = [];
    for (let i = 0; i < n(10, 200); i++) {
      const identity = {
        id: 70_000_000 + i,
        username: `bench-${i}`,
        fullName: `Bench ${i}`,
        email: `b${i}@bench.example`,
      };
      signups.push(
        await timed(async () => {
          const { outcome } = await runSignup(
            { provider: 'github', env: envs[0], poll: true, intervalMs: 0, identity },
            deps,
            lab,
          );
          if (!outcome.ok) failedSignups++;
        }),
      );
    }
    figure(
      'signup_ms_p50',
      median(signups),
      'ms',
      null,
      'hop',
      failedSignups > 0 ? `${failedSignups} sign-ups failed` : undefined,
    );

    for (const flow of ['connect', 'signup']) {
      const r = await runLoad(
        { flow, flows: n(64, 2000), concurrency: 32, providers: ['github'], envs, intervalMs: 0, runId: runId++ },
        deps,
        lab,
      );
      const invalid = r.ok
        ? undefined
        : `${r.failed} failed, ${r.isolation.problems.length} isolation problems of ${r.flows}`;
      figure(`${flow}_flows_per_s_c32`, r.flowsPerSecond, '/s', atLeast(500), 'rps', invalid);
    }

    // check-signup with tokens nobody issued: the route's whole path (body, lookup, CS error) without a flow.
    const api = lab.envs.get(envs[0]);
    let token = 0;
    const check = async () => {
      const res = await loopbackFetch(`${api.url}/no-auth/check-signup`, {
        method: 'PUT',
        redirect: 'manual',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: `bench-unknown-${token++}` }),
      });
      await res.arrayBuffer();
      return res.status < 500;
    };
    await rate(200, 64, check);
    const cs = await rate(n(1000, 10_000), 64, check);
    figure('check_signup_rps_c64', cs.perSecond, '/s', atLeast(3000), 'rps', cs.bad > 0 ? `${cs.bad} 5xx` : undefined);

    // Memory: what a lab that keeps running holds on to. Its journals are capped (src/util/ring.ts), so they grow
    // until each holds its cap and then stay; the figure is the growth after that, over further flows, scaled to
    // 10,000. A lab with a small cap reaches it in a warm-up of a few thousand flows instead of tens of thousands.
    const memLab = await startLab({ ...labOptions, recordCap: MEMORY_RECORD_CAP });
    try {
      const batch = (flows) =>
        runLoad({ flow: 'connect', flows, concurrency: 32, providers: ['github'], envs, runId: runId++ }, deps, memLab);
      for (let done = 0; done < n(1500, 4000); done += 500) await batch(500);
      // RSS after a full GC moves by a few MiB either way from one sample to the next (the allocator's pages),
      // so the growth is the slope of a least-squares line through a sample after every batch, not two samples.
      // RSS also falls when V8 hands pages back, so the live heap (used heap and external memory after the GC) is
      // measured beside it: that one moves only with what the lab keeps.
      const samples = [];
      const heapSamples = [];
      const sample = (flowsSoFar) => {
        gc();
        const m = process.memoryUsage();
        samples.push([flowsSoFar, m.rss / MiB]);
        heapSamples.push([flowsSoFar, (m.heapUsed + m.external) / MiB]);
      };
      sample(0);
      const flows = n(1000, 5000);
      let memInvalid;
      for (let done = 0; done < flows;) {
        const r = await batch(Math.min(500, flows - done));
        if (!r.ok) memInvalid = 'a connect failed';
        done += Math.max(1, r.flows);
        sample(done);
      }
      const growth = slope(samples) * 10_000;
      figure('rss_growth_mib_per_10k_flows', growth, 'MiB', atMost(10), 'none', memInvalid);
      figure('heap_growth_mib_per_10k_flows', slope(heapSamples) * 10_000, 'MiB', atMost(10), 'none', memInvalid);
    } finally {
      await memLab.close();
    }
  } finally {
    await lab.close();
  }
}

async function measureLabStart() {
  const providers = [...profiles.keys()];
  const starts = [];
  for (let i = 0; i < n(3, 15); i++) {
    starts.push(
      await timed(async () => {
        const l = await startLab({ config, profiles, providers, envs, now: Date.now, fetch: loopbackFetch });
        await l.close();
      }),
    );
  }
  figure('lab_start_ms', median(starts.slice(1)), 'ms', atMost(20), 'hop');
}

async function measureCli() {
  for (const [name, args, target] of [
    ['cli_connect_wall_ms', [bin, 'connect', 'github'], 300],
    ['cli_help_wall_ms', [bin, '--help'], 150],
  ]) {
    const walls = [];
    for (let i = 0; i < n(1, 5); i++) walls.push(await timed(() => spawnNode(args)));
    figure(name, median(walls), 'ms', atMost(target), 'node');
  }
}

if (wants('flows')) await measureFlows();
if (wants('lab')) await measureLabStart();
if (wants('cli')) await measureCli();

// --- the report ----------------------------------------------------------------------------------------------

const floorOf = { hop: base.hop_ms_p50, rps: base.rps_c64, node: base.node_start_ms };
const out = {
  quick,
  machine: { cpus: cpus().length, node: process.version, gc: globalThis.gc !== undefined },
  floor: base,
  figures: Object.fromEntries(
    Object.entries(figures).map(([name, f]) => {
      const valid = f.invalid === undefined && Number.isFinite(f.value);
      const met =
        f.target === null ? null : f.target.op === '<=' ? f.value <= f.target.value : f.value >= f.target.value;
      const ratio = floorOf[f.kind] ? f.value / floorOf[f.kind] : null;
      return [
        name,
        {
          value: f.value,
          unit: f.unit,
          target: f.target,
          met,
          ratio_to_floor: ratio,
          valid,
          ...(f.invalid ? { invalid: f.invalid } : {}),
        },
      ];
    }),
  ),
};

if (json) console.log(JSON.stringify(out));
else {
  const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  console.log(
    `${cpus().length} cores, node ${process.version}${quick ? ', --quick (few iterations)' : ''}${only === GROUPS ? '' : `, only ${only.join(', ')}`}`,
  );
  const hop = Number.isFinite(base.hop_ms_p50)
    ? `one bare 302 hop ${fmt(base.hop_ms_p50)} ms (p50), ${fmt(base.rps_c64)} req/s at 64 in flight; `
    : '';
  console.log(`floor: ${hop}node start ${fmt(base.node_start_ms)} ms\n`);
  console.log(`${'figure'.padEnd(32)}${'value'.padStart(10)}  ${'target'.padEnd(12)}${'met'.padEnd(5)}ratio to floor`);
  for (const [name, f] of Object.entries(out.figures)) {
    const target = f.target === null ? '—' : `${f.target.op} ${f.target.value}`;
    const met = f.met === null ? '' : f.met ? '✔' : '✖';
    const ratio = f.ratio_to_floor === null ? '—' : `${fmt(f.ratio_to_floor)}×`;
    console.log(
      `${name.padEnd(32)}${fmt(f.value).padStart(10)}  ${`${target} ${f.unit}`.padEnd(12)}${met.padEnd(5)}${ratio}${f.valid ? '' : `  INVALID: ${f.invalid}`}`,
    );
  }
}
