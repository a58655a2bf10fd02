package learned_test

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/learned"
	"github.com/physid/physid/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// paperState is the paper's three-body initial state, moved a little so that
// no coordinate difference is special.
func paperState(t testing.TB) (nbody.Gravity, []float64, []float64) {
	t.Helper()
	g, masses, z0 := nbody.PaperThreeBody()
	rng := learned.NewRand(5)
	for i := range z0 {
		z0[i] += 0.05 * (2*rng.Float64() - 1)
	}
	return g, masses, z0
}

// TestNBodyFeaturesDerivatives compares the adapter's JVP and VJP with central
// differences of Map, entry by entry, with the measure of
// dynamics.CheckDerivatives (|a − fd| / max(1, |fd|)): at separations ≈ 0.5
// the third derivatives of Δ/|Δ|³ are O(10³), so the step-1e-6 differences are
// good to ~1e-9, and the bound 1e-6 is the brief's.
func TestNBodyFeaturesDerivatives(t *testing.T) {
	g, _, z0 := paperState(t)
	f := learned.NewNBodyFeatures(g)
	require.Equal(t, 81, f.Dim())
	x := append([]float64(nil), z0[:9]...)
	n, m := len(x), f.Dim()
	rows := make([][]float64, m) // rows of the Jacobian from the VJP
	u := make([]float64, m)
	for i := range rows {
		rows[i] = make([]float64, n)
		clear(u)
		u[i] = 1
		f.VJP(rows[i], x, u)
	}
	// Every |x_j| < 1 here, so gonum's step 1e-6 is CheckDerivatives' 1e-6·max(1, |x_j|).
	require.Less(t, floats.Norm(x, math.Inf(1)), 1.0)
	jac := mat.NewDense(m, n, nil)
	fd.Jacobian(jac, f.Map, x, &fd.JacobianSettings{Formula: fd.Central, Step: 1e-6})
	jv, v := make([]float64, m), make([]float64, n)
	worst := 0.0
	for j := range n {
		clear(v)
		v[j] = 1
		f.JVP(jv, x, v)
		for i := range m {
			d := jac.At(i, j)
			worst = math.Max(worst, math.Abs(jv[i]-d)/math.Max(1, math.Abs(d)))
			worst = math.Max(worst, math.Abs(rows[i][j]-d)/math.Max(1, math.Abs(d)))
		}
	}
	t.Logf("worst FD error %.2g", worst)
	assert.LessOrEqual(t, worst, 1e-6)
}

// TestThreeBodyNODEDerivatives runs dynamics.CheckDerivatives on the node
// model (the paper's FC, and with a hidden layer) at a random θ.
func TestThreeBodyNODEDerivatives(t *testing.T) {
	g, _, z0 := paperState(t)
	for _, hidden := range [][]int{nil, {16}} {
		f, err := learned.NewThreeBodyNODE(g, hidden, "")
		require.NoError(t, err)
		theta := learned.NewParams(f, 3)
		for i := range theta {
			theta[i] *= 0.3 // accelerations O(1), as after training
		}
		worst, err := dynamics.CheckDerivatives(f, 0, z0, theta)
		require.NoError(t, err)
		t.Logf("hidden %v: %d parameters, worst FD error %.2g", hidden, f.NumParams(), worst)
		assert.LessOrEqual(t, worst, 1e-6)
	}
}

// TestFCAugContainsNewton: one affine layer on the Eq. 33 features expresses
// Newton's law exactly — weight −K1·m_j on Δ_ij/|Δ_ij|³ — which is why the
// node model needs no hidden layer.
func TestFCAugContainsNewton(t *testing.T) {
	g, masses, z0 := paperState(t)
	f, err := learned.NewThreeBodyNODE(g, nil, "")
	require.NoError(t, err)
	theta := make([]float64, f.NumParams())
	w := f.Net().Layer(0).Weights(theta)
	nf := learned.NewNBodyFeatures(g).Dim()
	const d, blk = 3, 27 // body i's block: r_i, then 12 features per other body
	for i := range 3 {
		off := d
		for j := range 3 {
			if j == i {
				continue
			}
			for k := range d { // Δ_ij/|Δ_ij|³ is the fourth d-vector of the pair
				w[(d*i+k)*nf+i*blk+off+3*d+k] = -g.Gravity * masses[j]
			}
			off += 4 * d
		}
	}
	got, want := make([]float64, 18), make([]float64, 18)
	f.Func(got, 0, z0, theta)
	g.Func(want, 0, z0, masses)
	assert.InDeltaSlice(t, want, got, 1e-13)
}

func TestNBodyFeaturesSaveLoad(t *testing.T) {
	g, _, z0 := paperState(t)
	f, err := learned.NewThreeBodyNODE(g, []int{4}, learned.Softplus)
	require.NoError(t, err)
	theta := learned.NewParams(f, 9)
	var buf bytes.Buffer
	require.NoError(t, learned.Save(&buf, f, theta))
	assert.Contains(t, buf.String(), `"kind": "nbody-aug"`)

	_, _, err = learned.Load(bytes.NewReader(buf.Bytes()), nil)
	assert.ErrorIs(t, err, learned.ErrConfig, "nbody-aug needs a decoder")

	m, got, err := learned.Load(bytes.NewReader(buf.Bytes()), learned.DecodeFeatures)
	require.NoError(t, err)
	assert.Equal(t, theta, got)
	a, b := make([]float64, 18), make([]float64, 18)
	f.Func(a, 0, z0, theta)
	m.(*learned.NeuralField).Func(b, 0, z0, got)
	assert.Equal(t, a, b)
}

func TestDecodeFeaturesErrors(t *testing.T) {
	_, err := learned.DecodeFeatures("nbody", json.RawMessage(`{}`))
	assert.ErrorContains(t, err, "allowed: identity, nbody-aug")
	_, err = learned.DecodeFeatures("nbody-aug", json.RawMessage(`{"bodies": 1, "dims": 3}`))
	assert.ErrorIs(t, err, learned.ErrConfig)
	_, err = learned.DecodeFeatures("nbody-aug", json.RawMessage(`{"bodies": "three"}`))
	assert.Error(t, err)
}
