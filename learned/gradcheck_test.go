package learned_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"
)

// fdStep is the central-difference step: near ε^(1/3) ≈ 6e-6, where the
// truncation error (h²/6 times a third derivative: ≈ 2e-11 when that is O(1)) and the
// rounding error (ε·|L|/h ≈ 2e-11·|L|) balance. For the O(1)–O(10) losses below
// the absolute error stays under 1e-9 — under 1e-6 even relative to entries as
// small as the floor 1e-3 of fdError — while a wrong term in a backward pass
// shows as 1e-4 or more (TestCheckerCatchesWrongBackward).
const fdStep = 1e-5

// gradTol is the bound on fdError for every backward pass.
const gradTol = 1e-6

// gradCase is a differentiable map y = F(x, θ) with its hand-written backward
// pass. The checker tests the gradient of the scalar L = w·y for a random w.
type gradCase struct {
	x, theta []float64
	ny       int
	// forward writes y(x, θ) into y (and may record a tape).
	forward func(y, x, theta []float64)
	// backward adds (∂y/∂x)ᵀdy to dx and (∂y/∂θ)ᵀdy to dtheta, for the last forward.
	backward func(dx, dtheta, dy []float64)
}

// fdError is the error measure of the checker, per entry:
// |analytic − fd| / max(floor, |fd|). With floor = 1 it is the measure of
// dynamics.CheckDerivatives; with floor = 1e-3 it is relative for every entry
// that matters.
func fdError(analytic, approx, floor float64) float64 {
	return math.Abs(analytic-approx) / math.Max(floor, math.Abs(approx))
}

// checkGrad compares c.backward with gonum's central differences (fd.Central,
// step fdStep·max(1, |v_j|) in each coordinate v_j) of c.forward and
// returns the worst error with the floors 1 and 1e-3. It also checks that
// backward adds into its destinations instead of overwriting them.
func checkGrad(t *testing.T, c gradCase, seed uint64) (worst, worstRel float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	w := make([]float64, c.ny)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	y := make([]float64, c.ny)
	const pre = 0.25 // backward must add to this
	dx, dth := filled(len(c.x), pre), filled(len(c.theta), pre)
	c.forward(y, c.x, c.theta)
	c.backward(dx, dth, w)
	loss := func() float64 {
		c.forward(y, c.x, c.theta)
		s := 0.0
		for i, v := range y {
			s += w[i] * v
		}
		return s
	}
	check := func(v, grad []float64) {
		for j := range v {
			orig := v[j]
			d := fd.Derivative(func(s float64) float64 {
				v[j] = orig + s
				return loss()
			}, 0, &fd.Settings{Formula: fd.Central, Step: fdStep * math.Max(1, math.Abs(orig))})
			v[j] = orig
			a := grad[j] - pre
			require.False(t, math.IsNaN(a) || math.IsInf(a, 0), "gradient entry %d is %v", j, a)
			worst = math.Max(worst, fdError(a, d, 1))
			worstRel = math.Max(worstRel, fdError(a, d, 1e-3))
		}
	}
	check(c.x, dx)
	check(c.theta, dth)
	return worst, worstRel
}

// assertGrad runs checkGrad and asserts both measures are below gradTol.
func assertGrad(t *testing.T, c gradCase, seed uint64) {
	t.Helper()
	worst, rel := checkGrad(t, c, seed)
	t.Logf("worst FD error %.2g (floor 1), %.2g (floor 1e-3)", worst, rel)
	assert.LessOrEqual(t, worst, gradTol)
	assert.LessOrEqual(t, rel, gradTol)
}

func filled(n int, v float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// randVec returns n draws from U(−scale, scale).
func randVec(rng *rand.Rand, n int, scale float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = scale * (2*rng.Float64() - 1)
	}
	return s
}
