package latent

import (
	"fmt"
	"testing"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/learned"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smallBatch is three synthetic sequences of 12 points, 40% observed, so the
// union of observation times has gaps and rows unobserved at some times.
func smallBatch(t *testing.T) *Batch {
	d := synthetic(3, 12, 2, 1)
	obs, err := SampleObserved(3, 12, 0.4, 2)
	require.NoError(t, err)
	return NewBatch(d, []int{0, 1, 2}, obs)
}

func TestCellsMatchFiniteDifferences(t *testing.T) {
	for _, name := range []string{"rnn", "gru"} {
		t.Run(name, func(t *testing.T) {
			l := new(learned.Layout)
			var c cell
			if name == "rnn" {
				c = newRNNCell(l, 3, 4)
			} else {
				c = newGRUCell(l, 3, 4)
			}
			B := 2
			rng := learned.NewRand(3)
			theta := make([]float64, l.Len())
			c.Init(theta, rng)
			for i := range theta {
				theta[i] += 0.1 * rng.NormFloat64() // non-zero biases
			}
			x, h, w := make([]float64, B*3), make([]float64, B*4), make([]float64, B*4)
			for _, v := range [][]float64{x, h, w} {
				for i := range v {
					v[i] = rng.NormFloat64()
				}
			}
			// L = w·cell(x, h) as a function of (θ, x, h) packed together.
			np := len(theta)
			loss := func(p []float64) float64 {
				out := make([]float64, B*4)
				c.step(make([]float64, c.recLen(B)), out, p[np:np+B*3], p[np+B*3:], p[:np], B)
				s := 0.0
				for i, v := range out {
					s += w[i] * v
				}
				return s
			}
			p := append(append(append([]float64(nil), theta...), x...), h...)
			rec, out := make([]float64, c.recLen(B)), make([]float64, B*4)
			c.step(rec, out, x, h, theta, B)
			grad := make([]float64, len(p))
			c.back(rec, make([]float64, c.workLen(B)), grad[np:np+B*3], grad[np+B*3:], grad[:np], w, x, h, out, theta, B)
			// Central differences with h = 1e-6 on O(1) smooth maps: ~1e-9.
			assert.Less(t, fdCheck(t, p, grad, loss), 1e-6)
		})
	}
}

func TestFieldDerivatives(t *testing.T) {
	f := NewField(3, []int{5, 5}, 2)
	theta := learned.NewParams(f, 4)
	z := []float64{0.3, -0.2, 0.5, 1, -0.7, 0.1}
	worst, err := dynamics.CheckDerivatives(f, 0, z, theta)
	require.NoError(t, err)
	// The checker's own accuracy is ~1e-8 for smooth maps.
	assert.Less(t, worst, 1e-6)
}

func TestRecurrentMatchesFiniteDifferences(t *testing.T) {
	b := smallBatch(t)
	for _, name := range []string{"rnn", "gru"} {
		t.Run(name, func(t *testing.T) {
			m, err := NewRecurrent(name, 2, 5)
			require.NoError(t, err)
			theta := learned.NewParams(m, 5)
			grad := make([]float64, len(theta))
			_, err = m.Loss(grad, theta, b, nil)
			require.NoError(t, err)
			loss := func(th []float64) float64 {
				l, err := m.Loss(make([]float64, len(th)), th, b, nil)
				require.NoError(t, err)
				return l
			}
			// The differences' rounding error ε·|L|/h ≈ 2e-10·|L| is ~2e-7·|L|
			// relative to fdCheck's floor 1e-3 (measured: up to 2.6e-7), so 1e-5
			// leaves a factor ~40 of room.
			assert.Less(t, fdCheck(t, theta, grad, loss), 1e-5)
		})
	}
}

func TestLatentODEMatchesFiniteDifferences(t *testing.T) {
	b := smallBatch(t)
	// A fixed-step solve makes the loss a smooth function of θ, so ACA and
	// naive are exact up to rounding (FD error ~1e-8); the adjoint solves
	// backwards with the same RK4 steps and is accurate to the method's
	// truncation error, ~1e-4 relative at h = 0.02.
	fixed := &aca.Settings{Method: integrate.RK4, Step: 0.02}
	for _, tc := range []struct {
		m   aca.Method
		tol float64
	}{{&aca.ACA{}, 1e-5}, {&aca.Naive{}, 1e-5}, {&aca.Adjoint{}, 1e-2}} {
		t.Run(fmt.Sprintf("%T", tc.m), func(t *testing.T) {
			m, err := NewLatentODE(ODEConfig{Dim: 2, Latent: 3, Hidden: 4, Units: 6, Method: tc.m, Settings: fixed, KLWeight: 0.1})
			require.NoError(t, err)
			theta := learned.NewParams(m, 6)
			grad := make([]float64, len(theta))
			_, err = m.Loss(grad, theta, b, learned.NewRand(9))
			require.NoError(t, err)
			loss := func(th []float64) float64 {
				l, err := m.Loss(make([]float64, len(th)), th, b, learned.NewRand(9))
				require.NoError(t, err)
				return l
			}
			assert.Less(t, fdCheck(t, theta, grad, loss), tc.tol)
		})
	}
}
