package learned_test

import (
	"math"
	"testing"

	"github.com/physid/physid/learned"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quadGrad writes the gradient of the ill-conditioned quadratic
// ½Σ c_i (θ_i − t_i)² (condition number 100) and returns its value.
func quadGrad(g, theta []float64) float64 {
	c := []float64{1, 10, 100}
	tgt := []float64{1, -2, 0.5}
	s := 0.0
	for i := range theta {
		d := theta[i] - tgt[i]
		g[i] = c[i] * d
		s += 0.5 * c[i] * d * d
	}
	return s
}

// TestAdamQuadratic: Adam with a decaying rate reaches the minimiser of the
// quadratic to 1e-6. Near the optimum Adam's step is ~lr·sign-like, so the
// decay (lr → 0.05·0.99^(k/10) ≈ 4e-6 after 3000 steps) sets the final accuracy.
func TestAdamQuadratic(t *testing.T) {
	a := &learned.Adam{LR: 0.05, Schedule: learned.ExponentialDecay{Rate: 0.99, Every: 10}}
	theta := []float64{0, 0, 0}
	g := make([]float64, 3)
	for range 3000 {
		quadGrad(g, theta)
		a.Step(theta, g)
	}
	assert.InDeltaSlice(t, []float64{1, -2, 0.5}, theta, 1e-6)
	assert.Equal(t, 3000, a.Steps())
	assert.InDelta(t, 0.05*math.Pow(0.99, 300), a.CurrentLR(), 1e-15)
	assert.Zero(t, testing.AllocsPerRun(10, func() { a.Step(theta, g) }))
}

// TestAdamFirstStep: the first bias-corrected step moves every coordinate by
// lr·g/(|g| + ε) ≈ lr in the direction against the gradient (Kingma & Ba, Sec. 2.1).
func TestAdamFirstStep(t *testing.T) {
	var a learned.Adam // defaults: lr 1e-3
	theta := []float64{1, 1}
	a.Step(theta, []float64{4, -0.01})
	assert.InDeltaSlice(t, []float64{1 - 1e-3, 1 + 1e-3}, theta, 1e-8)
	a.Reset()
	assert.Zero(t, a.Steps())
}

// TestAdamWeightDecay: with a zero gradient, decoupled weight decay shrinks θ
// by the factor (1 − lr·wd) per step exactly.
func TestAdamWeightDecay(t *testing.T) {
	a := &learned.Adam{LR: 0.1, WeightDecay: 0.5}
	theta := []float64{2, -4}
	for range 3 {
		a.Step(theta, []float64{0, 0})
	}
	f := math.Pow(1-0.05, 3)
	assert.InDeltaSlice(t, []float64{2 * f, -4 * f}, theta, 1e-15)
}

func TestAdamPanicsOnLengthChange(t *testing.T) {
	var a learned.Adam
	a.Step([]float64{1}, []float64{1})
	assert.Panics(t, func() { a.Step([]float64{1, 2}, []float64{1, 2}) })
}

func TestClipGlobalNorm(t *testing.T) {
	g := []float64{3, 4}
	require.Equal(t, 5.0, learned.ClipGlobalNorm(g, 1))
	assert.InDeltaSlice(t, []float64{0.6, 0.8}, g, 1e-15)
	assert.InDelta(t, 1.0, learned.ClipGlobalNorm(g, 10), 1e-15)
	assert.InDeltaSlice(t, []float64{0.6, 0.8}, g, 1e-15, "below the bound: unchanged")
}

func TestSchedules(t *testing.T) {
	d := learned.ExponentialDecay{Rate: 0.5, Every: 2}
	assert.Equal(t, []float64{1, 1, 0.5, 0.5, 0.25}, []float64{d.LR(1, 0), d.LR(1, 1), d.LR(1, 2), d.LR(1, 3), d.LR(1, 4)})
	assert.Equal(t, 0.5, learned.ExponentialDecay{Rate: 0.5}.LR(1, 1), "Every 0 means 1")
	warm := learned.ScheduleFunc(func(base float64, step int) float64 { return base * math.Min(1, float64(step+1)/10) })
	assert.InDelta(t, 0.01, warm.LR(0.1, 0), 1e-15)
}
