package identify

import (
	"math"
	"math/rand/v2"
)

// StartPoints returns the starting θ of n starts, the same for the same seed.
//
// With jitter > 0 every start, the first included, is the init perturbed by a
// generator seeded with (seed, start): θ = init·(1 + U(−jitter, jitter)), or
// init + U(−jitter, jitter) for init 0 (a value that lands outside the bounds
// keeps the init): the paper's three-body runs.
//
// Otherwise start 0 is the init as given and starts 1..n−1 are a Latin
// hypercube inside the bounds: each free parameter's range is cut into n−1
// strata, each stratum holds one start, and the strata are paired at random
// across parameters. The range is [min, max]; a side without a bound is
// replaced by init/10 or init·10 for a positive init, else by init ∓ 10·max(|init|, 1).
// A range with a positive lower end spanning at least two decades is sampled
// log-uniformly, any other uniformly. Every value lies strictly inside the
// bounds. Fixed parameters keep their init.
func StartPoints(p *Problem, n int, seed uint64, jitter float64) [][]float64 {
	out := make([][]float64, n)
	for i := range out {
		out[i] = p.Init()
	}
	if jitter > 0 {
		for i := range out {
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			for j, q := range p.Params {
				if q.Fixed {
					continue
				}
				d := jitter * (2*rng.Float64() - 1)
				v := q.Init * (1 + d)
				if q.Init == 0 {
					v = d
				}
				if lo, hi := q.bounds(); v > lo && v < hi {
					out[i][j] = v
				}
			}
		}
		return out
	}
	m := n - 1
	if m < 1 {
		return out
	}
	// One generator for the whole design (the strata are paired jointly);
	// the second seed word keeps it apart from the jitter's streams.
	rng := rand.New(rand.NewPCG(seed, 0x5eed_1a7e_0000_0000))
	for j, q := range p.Params {
		if q.Fixed {
			continue
		}
		a, b, logScale := sampleRange(q)
		at := func(s float64) float64 { // the point a fraction s along [a, b]
			if logScale {
				return math.Exp(math.Log(a) + s*(math.Log(b)-math.Log(a)))
			}
			return a + s*(b-a)
		}
		perm := rng.Perm(m)
		for k := range m {
			v := at((float64(perm[k]) + rng.Float64()) / float64(m))
			if lo, hi := q.bounds(); !(v > lo && v < hi) {
				// Only the open ends of the range can fail: take the stratum's middle.
				v = at((float64(perm[k]) + 0.5) / float64(m))
			}
			out[k+1][j] = v
		}
	}
	return out
}

// sampleRange is the range StartPoints draws q from, and whether on a log scale.
func sampleRange(q Parameter) (a, b float64, logScale bool) {
	a, b = q.bounds()
	x := q.Init
	w := 10 * math.Max(math.Abs(x), 1)
	if math.IsInf(a, 0) {
		a = x - w
		if x > 0 {
			a = x / 10
		}
	}
	if math.IsInf(b, 0) {
		b = x + w
		if x > 0 {
			b = x * 10
		}
	}
	return a, b, a > 0 && b/a >= 100
}
