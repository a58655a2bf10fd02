package adam_test

import (
	"math"
	"testing"

	"github.com/physid/physid/internal/adam"
	"github.com/stretchr/testify/assert"
)

// TestFirstStep: the first bias-corrected update moves every coordinate by
// lr·g/(|g| + ε) against the gradient (Kingma & Ba, Sec. 2.1), whatever the betas.
func TestFirstStep(t *testing.T) {
	theta, g := []float64{1, 1}, []float64{4, -0.01}
	m, v := make([]float64, 2), make([]float64, 2)
	adam.Step(theta, g, m, v, 1, adam.Params{LR: 0.1, Beta1: 0.5, Beta2: 0.5, Eps: 1e-8})
	assert.InDeltaSlice(t, []float64{1 - 0.1*4/(4+1e-8), 1 + 0.1*0.01/(0.01+1e-8)}, theta, 1e-15)
	assert.Equal(t, []float64{2, -0.005}, m)
	assert.Equal(t, []float64{8, 0.00005}, v)
}

// TestWeightDecay: with a zero gradient only the decoupled decay acts, by the
// factor 1 − lr·wd per update.
func TestWeightDecay(t *testing.T) {
	theta := []float64{2}
	m, v := []float64{0}, []float64{0}
	for k := 1; k <= 3; k++ {
		adam.Step(theta, []float64{0}, m, v, k, adam.Params{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.5})
	}
	assert.InDelta(t, 2*math.Pow(0.95, 3), theta[0], 1e-15)
}

func TestStepAllocatesNothingAndChecksLengths(t *testing.T) {
	theta, g, m, v := []float64{1, 2}, []float64{1, 1}, []float64{0, 0}, []float64{0, 0}
	p := adam.Params{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	assert.Zero(t, testing.AllocsPerRun(10, func() { adam.Step(theta, g, m, v, 1, p) }))
	assert.Panics(t, func() { adam.Step(theta, g, m[:1], v, 1, p) })
}
