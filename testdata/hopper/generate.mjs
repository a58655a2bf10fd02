// generate.mjs simulates physid's hopper (hopper.xml) with the official MuJoCo
// WebAssembly build (npm mujoco-js, pinned in package.json) and writes the
// dataset the Go loader learned/latent.LoadHopper reads.
//
// It follows Rubanova et al. (2019, Sec. 4.3 of the ACA paper): random initial
// positions and velocities — root x and z uniform in [0, 0.5], the other five
// positions uniform in [-2, 2] (radians), all seven velocities uniform in
// [-5, 5] — then one sample of (qpos, qvel) every --stride physics steps
// (timestep 0.005 s), --steps samples per sequence.
//
// Usage (from this directory, after `npm ci`):
//
//	node generate.mjs [--sequences 1000] [--steps 100] [--stride 1] [--seed 123] [--out hopper.bin.gz]
//
// File format (gzip of): the 8 bytes "PHYSHOP1", then little-endian uint32
// sequences, uint32 steps, uint32 dim (14), float64 dt (seconds between
// samples), then sequences·steps·dim float32 values, sequence-major, then time,
// then qpos[0..6], qvel[0..6].
import loadMujoco from 'mujoco-js';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function parseArgs(argv) {
  const opts = { sequences: 1000, steps: 100, stride: 1, seed: 123, out: 'hopper.bin.gz' };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in opts) || i + 1 >= argv.length) {
      throw new Error(`unknown or incomplete flag ${argv[i]} (allowed: --sequences --steps --stride --seed --out)`);
    }
    const v = argv[++i];
    opts[key] = key === 'out' ? v : Number(v);
    if (key !== 'out' && !(Number.isInteger(opts[key]) && opts[key] >= 0)) {
      throw new Error(`--${key} ${v}: want a non-negative integer`);
    }
  }
  if (opts.sequences < 1 || opts.steps < 2 || opts.stride < 1) {
    throw new Error('want --sequences ≥ 1, --steps ≥ 2, --stride ≥ 1');
  }
  return opts;
}

// mulberry32: a small seeded 32-bit generator, so the data do not depend on
// Math.random.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const opts = parseArgs(process.argv.slice(2));
const here = dirname(fileURLToPath(import.meta.url));
const mujoco = await loadMujoco();
mujoco.FS.mkdir('/work');
mujoco.FS.writeFile('/work/hopper.xml', readFileSync(join(here, 'hopper.xml'), 'utf8'));
const model = mujoco.MjModel.loadFromXML('/work/hopper.xml');
const data = new mujoco.MjData(model);
const nq = model.nq, nv = model.nv, dim = nq + nv;
if (nq !== 7 || nv !== 7) throw new Error(`hopper.xml has nq=${nq} nv=${nv}, want 7 and 7`);

const rand = rng(opts.seed);
const uniform = (lo, hi) => lo + (hi - lo) * rand();
const values = new Float32Array(opts.sequences * opts.steps * dim);
let o = 0;
for (let s = 0; s < opts.sequences; s++) {
  mujoco.mj_resetData(model, data);
  const qpos = data.qpos, qvel = data.qvel;
  for (let j = 0; j < nq; j++) qpos[j] = j < 2 ? uniform(0, 0.5) : uniform(-2, 2);
  for (let j = 0; j < nv; j++) qvel[j] = uniform(-5, 5);
  mujoco.mj_forward(model, data);
  for (let t = 0; t < opts.steps; t++) {
    const p = data.qpos, v = data.qvel;
    for (let j = 0; j < nq; j++) values[o++] = p[j];
    for (let j = 0; j < nv; j++) values[o++] = v[j];
    for (let k = 0; k < opts.stride; k++) mujoco.mj_step(model, data);
  }
  for (let j = o - opts.steps * dim; j < o; j++) {
    if (!Number.isFinite(values[j])) throw new Error(`sequence ${s}: non-finite state`);
  }
}
const dt = model.opt.timestep * opts.stride;
data.delete();
model.delete();

const header = Buffer.alloc(8 + 12 + 8);
header.write('PHYSHOP1', 0, 'latin1');
header.writeUInt32LE(opts.sequences, 8);
header.writeUInt32LE(opts.steps, 12);
header.writeUInt32LE(dim, 16);
header.writeDoubleLE(dt, 20);
const body = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('big-endian host: not supported');
const gz = gzipSync(Buffer.concat([header, body]), { level: 9 });
writeFileSync(opts.out + '.tmp', gz);
renameSync(opts.out + '.tmp', opts.out);
console.log(`wrote ${opts.out}: ${opts.sequences} sequences × ${opts.steps} steps × ${dim}, dt=${dt}s, ${gz.length} bytes`);
