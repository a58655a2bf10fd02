package scenarios_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/identify"
	"github.com/physid/physid/scenarios"
)

// tanksWindow is the tanks problem with each experiment cut to its first n
// samples.
func tanksWindow(t testing.TB, sc *scenarios.Scenario, n int) (*identify.Problem, []float64) {
	p := sc.FitProblem()
	for i := range p.Experiments {
		e := &p.Experiments[i]
		e.Times, e.Values = e.Times[:n], e.Values[:n]
	}
	theta := make([]float64, len(p.Params))
	for i, q := range p.Params {
		theta[i] = q.Init
	}
	return p, theta
}

// TestLikelihoodEvalAllocatesNothingPerStep: a warm evaluation of the tanks
// likelihood (hold input with a breakpoint per sample, a min() observable,
// the ACA forward solve and backward pass) allocates the same few result
// slices for 128 samples as for 1024: nothing per step.
func TestLikelihoodEvalAllocatesNothingPerStep(t *testing.T) {
	sc := tanksScenario(t, false)
	count := func(n int) float64 {
		p, theta := tanksWindow(t, sc, n)
		ev, err := identify.NewEvaluator(p)
		require.NoError(t, err)
		_, _, err = ev.Eval(theta)
		require.NoError(t, err)
		return testing.AllocsPerRun(5, func() { _, _, _ = ev.Eval(theta) })
	}
	short, long := count(128), count(1024)
	t.Logf("allocations per evaluation: %v (128 samples), %v (1024 samples)", short, long)
	assert.Equal(t, short, long)
}

func BenchmarkTanksLikelihoodGradient(b *testing.B) {
	src := tanksScenarioB(b)
	p, theta := tanksWindow(b, src, 1024)
	ev, err := identify.NewEvaluator(p)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ev.Eval(theta); err != nil {
			b.Fatal(err)
		}
	}
}

func tanksScenarioB(b *testing.B) *scenarios.Scenario {
	sc, err := scenarios.Load("tanks.toml")
	if err != nil {
		b.Fatal(err)
	}
	return sc
}
