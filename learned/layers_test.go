package learned_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/physid/physid/learned"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

var activations = []learned.Activation{learned.Identity, learned.Tanh, learned.ReLU, learned.Softplus, learned.Sigmoid}

func TestActivationBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, a := range activations {
		t.Run(string(a), func(t *testing.T) {
			x := randVec(rng, 12, 3)
			for i := range x { // keep ReLU's kink farther than the FD step
				if math.Abs(x[i]) < 0.01 {
					x[i] = 0.5
				}
			}
			y := make([]float64, len(x))
			assertGrad(t, gradCase{x: x, theta: nil, ny: len(x),
				forward: func(dst, x, _ []float64) { a.Forward(dst, x) },
				backward: func(dx, _, dy []float64) {
					a.Forward(y, x)
					g := make([]float64, len(x))
					a.Backward(g, x, y, dy)
					for i := range g {
						dx[i] += g[i]
					}
				},
			}, 2)
		})
	}
}

func TestActivationValues(t *testing.T) {
	x := []float64{-800, -1, 0, 1, 800}
	y := make([]float64, len(x))
	learned.Softplus.Forward(y, x)
	assert.InDeltaSlice(t, []float64{0, math.Log1p(math.Exp(-1)), math.Ln2, 1 + math.Log1p(math.Exp(-1)), 800}, y, 1e-15)
	learned.Sigmoid.Forward(y, x)
	assert.InDeltaSlice(t, []float64{0, 1 / (1 + math.E), 0.5, 1 / (1 + 1/math.E), 1}, y, 1e-15)
	assert.Error(t, learned.Activation("swish").Validate())
	assert.NoError(t, learned.Activation("").Validate())
}

func TestDenseBackward(t *testing.T) {
	for _, batch := range []int{1, 4} { // Gemv/Ger and Gemm paths
		t.Run(fmt.Sprintf("batch=%d", batch), func(t *testing.T) {
			var l learned.Layout
			l.Take(3) // a nonzero offset
			d := learned.NewDense(&l, 5, 3)
			rng := learned.NewRand(3)
			theta := randVec(rng, l.Len(), 1)
			x := randVec(rng, batch*d.In, 1)
			assertGrad(t, gradCase{x: x, theta: theta, ny: batch * d.Out,
				forward:  func(y, x, th []float64) { d.Apply(y, x, th) },
				backward: func(dx, dth, dy []float64) { d.VJP(dx, dth, x, dy, theta) },
			}, 4)
			assert.Equal(t, 3, d.Off)
			assert.Equal(t, 3+5*3+3, l.Len())
		})
	}
}

func TestMLPBackward(t *testing.T) {
	for _, a := range activations {
		for _, batch := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/batch=%d", a, batch), func(t *testing.T) {
				m := learned.NewMLP(nil, []int{3, 6, 5, 2}, a, learned.Tanh)
				theta := learned.NewParams(m, 5)
				rng := learned.NewRand(6)
				for i := range theta { // nonzero biases, so every term is exercised
					theta[i] += 0.1 * rng.NormFloat64()
				}
				x := randVec(rng, batch*3, 1.5)
				var tape learned.Tape
				assertGrad(t, gradCase{x: x, theta: theta, ny: batch * 2,
					forward:  func(y, x, th []float64) { m.Forward(&tape, y, x, th, batch) },
					backward: func(dx, dth, dy []float64) { m.Backward(&tape, dx, dth, dy, theta) },
				}, 7)
			})
		}
	}
}

// TestJVP checks Dense.JVP and MLP.JVP against central differences of the
// forward pass along a random tangent (vx, vθ), and against Backward through
// the identity ⟨w, J·v⟩ = ⟨Jᵀw, v⟩, both to gradTol for the reasons at fdStep.
func TestJVP(t *testing.T) {
	for _, batch := range []int{1, 3} {
		m := learned.NewMLP(nil, []int{4, 7, 3}, learned.Softplus, learned.Identity)
		theta := learned.NewParams(m, 8)
		rng := learned.NewRand(9)
		addNoise(rng, theta, 0.1)
		x, vx, vth := randVec(rng, batch*4, 1), randVec(rng, batch*4, 1), randVec(rng, len(theta), 1)
		var tape learned.Tape
		ny := batch * 3
		y, jv := make([]float64, ny), make([]float64, ny)
		for _, tc := range []struct {
			name   string
			vx, vt []float64
		}{{"both", vx, vth}, {"x only", vx, nil}, {"theta only", nil, vth}} {
			t.Run(fmt.Sprintf("batch=%d/%s", batch, tc.name), func(t *testing.T) {
				m.Forward(&tape, y, x, theta, batch)
				m.JVP(&tape, jv, tc.vx, tc.vt, theta)
				// The directional derivative along (vx, vθ) is the one-column
				// Jacobian of s ↦ F(x + s·vx, θ + s·vθ) at s = 0.
				dir := mat.NewDense(ny, 1, nil)
				xs, ts := make([]float64, len(x)), make([]float64, len(theta))
				fd.Jacobian(dir, func(dst, s []float64) {
					copy(xs, x)
					copy(ts, theta)
					if tc.vx != nil {
						floats.AddScaled(xs, s[0], tc.vx)
					}
					if tc.vt != nil {
						floats.AddScaled(ts, s[0], tc.vt)
					}
					var tp learned.Tape
					m.Forward(&tp, dst, xs, ts, batch)
				}, []float64{0}, &fd.JacobianSettings{Formula: fd.Central, Step: fdStep})
				for i := range jv {
					assert.LessOrEqual(t, fdError(jv[i], dir.At(i, 0), 1), gradTol, "entry %d", i)
				}
			})
		}
		d := m.Layer(0)
		xd := x[:batch*4]
		dj := make([]float64, batch*d.Out)
		d.JVP(dj, xd, vx, theta, vth)
		w := randVec(rng, len(dj), 1)
		gx, gt := make([]float64, len(xd)), make([]float64, len(theta))
		d.VJP(gx, gt, xd, w, theta)
		assert.InDelta(t, dot(w, dj), dot(gx, vx)+dot(gt, vth), 1e-12, "Dense: ⟨w, Jv⟩ = ⟨Jᵀw, v⟩")
	}
}

func TestMSEGrad(t *testing.T) {
	rng := learned.NewRand(10)
	target := randVec(rng, 7, 1)
	pred := randVec(rng, 7, 1)
	assert.InDelta(t, learned.MSE(pred, target), learned.MSEGrad(make([]float64, 7), pred, target), 1e-15)
	assertGrad(t, gradCase{x: pred, ny: 1,
		forward: func(y, p, _ []float64) { y[0] = learned.MSE(p, target) },
		backward: func(dx, _, dy []float64) {
			g := make([]float64, len(pred))
			learned.MSEGrad(g, pred, target)
			for i := range g {
				dx[i] += dy[0] * g[i]
			}
		},
	}, 11)
}

// TestDeterministicInit: the same seed gives bit-identical θ, another seed a
// different θ, and every weight lies within its Glorot/He bound.
func TestDeterministicInit(t *testing.T) {
	for _, m := range []learned.Initializer{
		learned.NewMLP(nil, []int{4, 16, 2}, learned.ReLU, learned.Identity),
		learned.NewSequence(nil, learned.CellLSTM, 3, 8, 2),
		learned.NewSequence(nil, learned.CellGRU, 3, 8, 2),
	} {
		a, b, c := learned.NewParams(m, 42), learned.NewParams(m, 42), learned.NewParams(m, 43)
		require.Equal(t, a, b)
		assert.NotEqual(t, a, c)
	}
	m := learned.NewMLP(nil, []int{4, 16, 2}, learned.ReLU, learned.Identity)
	theta := learned.NewParams(m, 1)
	he, glorot := math.Sqrt(6.0/4), math.Sqrt(6.0/18)
	for _, v := range m.Layer(0).Weights(theta) {
		assert.LessOrEqual(t, math.Abs(v), he)
	}
	for _, v := range m.Layer(1).Weights(theta) {
		assert.LessOrEqual(t, math.Abs(v), glorot)
	}
	assert.Equal(t, make([]float64, 16), m.Layer(0).Bias(theta))
}

// TestLayerAllocs: after one warm-up pass, forward and backward passes of an
// MLP and of both recurrent cells allocate nothing. Batch 8 uses Gemm; batch
// 64 gives products with 320 rows, which gonum's Gemm would run on goroutines
// (allocating) if gemm did not tile them.
func TestLayerAllocs(t *testing.T) {
	rng := learned.NewRand(12)
	for _, n := range []learned.Net{
		learned.NewMLP(nil, []int{4, 16, 16, 2}, learned.Tanh, learned.Identity),
		learned.NewSequence(nil, learned.CellLSTM, 4, 8, 2),
		learned.NewSequence(nil, learned.CellGRU, 4, 8, 2),
	} {
		for _, batch := range []int{1, 8, 64} {
			theta := learned.NewParams(n, 1)
			g := make([]float64, len(theta))
			x := randVec(rng, 5*batch*4, 1) // 5 steps of a sequence, or 5·batch MLP rows
			b := batch
			if _, ok := n.(*learned.MLP); ok {
				b = 5 * batch
			}
			y := make([]float64, 5*batch*2)
			dx := make([]float64, len(x))
			var tape learned.Tape
			allocs := testing.AllocsPerRun(10, func() {
				n.Forward(&tape, y, x, theta, b)
				n.Backward(&tape, dx, g, y, theta)
			})
			assert.Zero(t, allocs, "%T batch %d", n, batch)
		}
	}
}

func addNoise(rng *rand.Rand, v []float64, s float64) {
	for i := range v {
		v[i] += s * rng.NormFloat64()
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// TestDenseLargeMatchesLoops: products larger than one 64×64 output tile in
// every direction (batch 100, 70 → 130) agree with plain loops to rounding
// (sums of 130 terms of size ~1: 1e-12).
func TestDenseLargeMatchesLoops(t *testing.T) {
	const b, in, out = 100, 70, 130
	d := learned.NewDense(nil, in, out)
	rng := learned.NewRand(30)
	theta := randVec(rng, d.NumParams(), 1)
	x, dy := randVec(rng, b*in, 1), randVec(rng, b*out, 1)
	w, bias := d.Weights(theta), d.Bias(theta)
	y := make([]float64, b*out)
	d.Apply(y, x, theta)
	dx, dth := make([]float64, b*in), make([]float64, len(theta))
	d.VJP(dx, dth, x, dy, theta)
	wantY, wantDx, wantDth := make([]float64, b*out), make([]float64, b*in), make([]float64, len(theta))
	dw, db := d.Weights(wantDth), d.Bias(wantDth)
	for r := range b {
		for o := range out {
			s := bias[o]
			for i := range in {
				s += w[o*in+i] * x[r*in+i]
				wantDx[r*in+i] += w[o*in+i] * dy[r*out+o]
				dw[o*in+i] += dy[r*out+o] * x[r*in+i]
			}
			wantY[r*out+o] = s
			db[o] += dy[r*out+o]
		}
	}
	assert.InDeltaSlice(t, wantY, y, 1e-12)
	assert.InDeltaSlice(t, wantDx, dx, 1e-12)
	assert.InDeltaSlice(t, wantDth, dth, 1e-12)
}
