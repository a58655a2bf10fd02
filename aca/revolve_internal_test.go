package aca

import (
	"fmt"
	"math"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/internal/problems"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireSameBits fails unless got's gradient and loss are want's, bit for bit.
func requireSameBits(t *testing.T, want, got *Result) {
	t.Helper()
	require.Equal(t, math.Float64bits(want.Loss), math.Float64bits(got.Loss), "loss")
	for i := range want.Theta {
		require.Equal(t, math.Float64bits(want.Theta[i]), math.Float64bits(got.Theta[i]), "dL/dθ[%d]: %v vs %v", i, want.Theta[i], got.Theta[i])
	}
	for i := range want.Z0 {
		require.Equal(t, math.Float64bits(want.Z0[i]), math.Float64bits(got.Z0[i]), "dL/dz0[%d]: %v vs %v", i, want.Z0[i], got.Z0[i])
	}
}

// longProblem is a damped 6-dimensional rotation z' = Az (θ = A, 36
// parameters) over [0, 100] with RK4 at h = 1e-3: 10⁵ steps, observed at
// t = 1, 2, …, nobs.
func longProblem(nobs int) (*Problem, *Settings) {
	const n = 6
	theta := make([]float64, n*n)
	for i := range n {
		theta[i*n+i] = -0.01
		theta[i*n+(i+1)%n] = 1
		theta[((i+1)%n)*n+i] = -1
	}
	z0 := []float64{1, 0, -1, 0.5, 0, 0.2}
	times := make([]float64, nobs)
	for i := range times {
		times[i] = float64(i + 1)
	}
	return testProblem(dynamics.Linear{N: n}, theta, z0, times), &Settings{Method: integrate.RK4, Step: 1e-3}
}

// TestCheckpointsLongSolve is the test: 10⁵ steps with 100
// checkpoints give the unbounded gradient bit for bit, holding at most 100
// states (peak bytes within the budget of 100 states and the per-step record).
func TestCheckpointsLongSolve(t *testing.T) {
	p, s := longProblem(100)
	want, err := (&ACA{}).Gradient(p, s)
	require.NoError(t, err)
	require.GreaterOrEqual(t, want.Stats.Accepted, 100000)
	m := &ACA{Checkpoints: 100}
	got, err := m.Gradient(p, s)
	require.NoError(t, err)
	requireSameBits(t, want, got)
	assert.LessOrEqual(t, m.rev.peak, 100, "states held at once")
	budget := m.rec.stepBytes() + 100*m.rev.slotBytes() + m.fwd.bytes()
	assert.LessOrEqual(t, got.Stats.Bytes, budget)
	assert.Less(t, got.Stats.Bytes, want.Stats.Bytes)
	// Replays: at most r = 3 per step (β(52, 3) ≥ the 2048-step segments).
	assert.LessOrEqual(t, got.Stats.Recomputed, 3*got.Stats.Accepted)
	t.Logf("steps %d, checkpoints 100 (forward held %d, peak %d), recomputed %d (%.2f/step), peak bytes %d (unbounded %d, budget %d)",
		got.Stats.Accepted, len(m.rec.pos), m.rev.peak, got.Stats.Recomputed,
		float64(got.Stats.Recomputed)/float64(got.Stats.Accepted), got.Stats.Bytes, want.Stats.Bytes, budget)
}

// TestBoundedModesSameBits compares every mode with the unbounded ACA on
// adaptive solves that land on many observation times: a non-autonomous
// model (whose FSAL K_0 after a landing is f at t_{i−1} + h_{i−1}, not
// quite t_i: a replay must take it from the step before), and implicit and
// Auto solves.
func TestBoundedModesSameBits(t *testing.T) {
	times := make([]float64, 150)
	for i := range times {
		times[i] = 0.1 * math.Sqrt2 * float64(i+1)
	}
	driven := testProblem(problems.DrivenOscillator{F: 0.7}, []float64{2, 0.1, 1.3}, []float64{1, 0}, times)
	// A slow oscillator whose second step crosses t = 0 onto an observation
	// time: there t_{i−1} + h_{i−1} rounds to another number than t_i.
	cross := make([]float64, 7)
	for i := range cross {
		cross[i] = 0.37 * float64(i+1) / 7
	}
	crossing := testProblem(problems.DrivenOscillator{F: 30}, []float64{0.01, 0.01, 10.7}, []float64{1, 0}, cross)
	crossing.T0 = -0.77 * 0.37 / 7 * 28 / 20
	rt := []float64{0.1, 0.5, 1, 2, 5}
	pr := testProblem(problems.ProtheroRobinson{}, []float64{-300}, []float64{0.2}, rt)
	for _, tc := range []struct {
		name string
		p    *Problem
		s    *Settings
	}{
		{"driven/dopri5", driven, &Settings{RTol: 1e-8, ATol: 1e-10}},
		{"crossing/dopri5", crossing, &Settings{RTol: 1e-3, ATol: 1e-3, Land: true}}, // landings: see below
		{"crossing/dopri5/dense", crossing, &Settings{RTol: 1e-3, ATol: 1e-3}},
		{"driven/rk23", driven, &Settings{Method: integrate.BogackiShampine, RTol: 1e-7, ATol: 1e-9}},
		{"driven/rk45", driven, &Settings{Method: integrate.Fehlberg, RTol: 1e-7, ATol: 1e-9}},
		{"prothero/kvaerno5", pr, &Settings{Method: integrate.Kvaerno5, RTol: 1e-6, ATol: 1e-9}},
		{"prothero/auto", pr, &Settings{Method: integrate.Auto, RTol: 1e-6, ATol: 1e-9}},
	} {
		want, err := (&ACA{}).Gradient(tc.p, tc.s)
		require.NoError(t, err, tc.name)
		for _, m := range []*ACA{{Checkpoints: 1}, {Checkpoints: 2}, {Checkpoints: 5}, {Checkpoints: 16}, {Checkpoints: 1000},
			{StageBudget: 1 << 30}, {StageBudget: 4000}} {
			t.Run(fmt.Sprintf("%s/ckpt%d/stages%d", tc.name, m.Checkpoints, m.StageBudget), func(t *testing.T) {
				for range 2 { // the second call reuses the buffers
					got, err := m.Gradient(tc.p, tc.s)
					require.NoError(t, err)
					requireSameBits(t, want, got)
					if m.Checkpoints > 0 {
						assert.LessOrEqual(t, m.rev.peak, m.Checkpoints)
					}
					if m.StageBudget > 0 {
						assert.LessOrEqual(t, 8*len(m.rec.cache.k), m.StageBudget)
					}
					if tc.name == "crossing/dopri5" && m.Checkpoints == 0 && m.StageBudget == 1<<30 {
						// The case this test is for: landings whose FSAL K_0
						// is f at t_{i−1} + h_{i−1} ≠ t_i; they are not cached.
						other := 0
						for i, off := range m.rec.cache.off {
							if off < 0 && m.rec.reuse[i] {
								other++
							}
						}
						assert.Positive(t, other)
					}
				}
			})
		}
	}
}

// TestStageCacheSkipsEvaluations: with room for every step's stages, the
// backward pass of Dopri5 evaluates only VJPs (6 a step), except on the
// steps whose forward K_0 was f at another time (see Record).
func TestStageCacheSkipsEvaluations(t *testing.T) {
	p := testProblem(dynamics.VanDerPol{}, []float64{1}, []float64{2, 0}, []float64{1, 2, 3, 4})
	// Landing: a step with observations inside it (dense output) goes through
	// the interpolation weights, which recompute its stages.
	s := &Settings{RTol: 1e-8, ATol: 1e-10, Land: true}
	plain, err := (&ACA{}).Gradient(p, s)
	require.NoError(t, err)
	cached, err := (&ACA{StageBudget: 1 << 30}).Gradient(p, s)
	require.NoError(t, err)
	requireSameBits(t, plain, cached)
	assert.Equal(t, 11*plain.Stats.Accepted, plain.Stats.NFEBackward)
	assert.Equal(t, 6*plain.Stats.Accepted, cached.Stats.NFEBackward) // autonomous: every step cached
	assert.Greater(t, cached.Stats.Bytes, plain.Stats.Bytes)
}

// TestBackwardSweepAllocatesNothing: once its buffers have grown, ACA's
// backward pass allocates nothing, in every mode.
func TestBackwardSweepAllocatesNothing(t *testing.T) {
	p, s := longProblem(5) // 5000 steps
	for _, m := range []*ACA{{}, {StageBudget: 1 << 30}, {StageBudget: 100000}, {Checkpoints: 10}, {Checkpoints: 1}, {Checkpoints: 2}} {
		short := *s
		if m.Checkpoints == 1 {
			short.Step = 0.05 // the quadratic schedule: 100 steps
		}
		res, err := m.Gradient(p, &short)
		require.NoError(t, err)
		allocs := testing.AllocsPerRun(3, func() {
			clear(res.Theta)
			clear(res.Z0)
			if err := m.backward(p, res); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, "Checkpoints %d, StageBudget %d", m.Checkpoints, m.StageBudget)
	}
}

// TestRevolveSplit: no step of a schedule is replayed more than r times, r
// the least with β(c, r) ≥ l, and the replays total at most r·l.
func TestRevolveSplit(t *testing.T) {
	for _, c := range []int{2, 3, 5, 10, 40} {
		for _, l := range []int{2, 3, 7, 50, 333, 2048} {
			counts := make([]int, l)
			simulateRevolve(counts, 0, l, c)
			r, b := 0, 1
			for b < l {
				r++
				b = b * (c + r) / r
			}
			for i, n := range counts {
				require.LessOrEqual(t, n, r, "c=%d l=%d step %d", c, l, i)
			}
		}
	}
}

// simulateRevolve counts the replays of each step as revolver.reverse makes them.
func simulateRevolve(counts []int, a, b, c int) {
	for b-a > 1 {
		if c <= 1 {
			for i := b - 1; i > a; i-- {
				for j := a; j < i; j++ {
					counts[j]++
				}
			}
			return
		}
		l1 := revolveSplit(b-a, c)
		for j := a; j < a+l1; j++ {
			counts[j]++
		}
		simulateRevolve(counts, a+l1, b, c-1)
		b = a + l1
	}
}
