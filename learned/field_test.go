package learned_test

import (
	"encoding/json"
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/learned"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pairFeatures is a 2-D cousin of the paper's Eq. 33, to prove that a
// nonlinear, physics-shaped feature map plugs in: for bodies i < j with
// δ = q_i − q_j and r = |δ|, the features are (δ, δ/r³, 1/r), five per pair.
// Its derivatives: ∂(δ/r³)/∂δ = I/r³ − 3δδᵀ/r⁵ and ∂(1/r)/∂δ = −δᵀ/r³.
type pairFeatures struct {
	Bodies int `json:"bodies"`
}

func (p pairFeatures) Kind() string { return "test-pairs" }
func (p pairFeatures) Dim() int     { return 5 * p.Bodies * (p.Bodies - 1) / 2 }

// each calls fn for every pair with its δ and feature offset.
func (p pairFeatures) each(x []float64, fn func(i, j, o int, dx, dy, r float64)) {
	o := 0
	for i := 0; i < p.Bodies; i++ {
		for j := i + 1; j < p.Bodies; j++ {
			dx, dy := x[2*i]-x[2*j], x[2*i+1]-x[2*j+1]
			fn(i, j, o, dx, dy, math.Hypot(dx, dy))
			o += 5
		}
	}
}

func (p pairFeatures) Map(dst, x []float64) {
	p.each(x, func(_, _, o int, dx, dy, r float64) {
		r3 := r * r * r
		dst[o], dst[o+1], dst[o+2], dst[o+3], dst[o+4] = dx, dy, dx/r3, dy/r3, 1/r
	})
}

func (p pairFeatures) JVP(dst, x, v []float64) {
	p.each(x, func(i, j, o int, dx, dy, r float64) {
		vx, vy := v[2*i]-v[2*j], v[2*i+1]-v[2*j+1]
		r3, r5 := r*r*r, r*r*r*r*r
		dd := dx*vx + dy*vy
		dst[o], dst[o+1] = vx, vy
		dst[o+2], dst[o+3] = vx/r3-3*dx*dd/r5, vy/r3-3*dy*dd/r5
		dst[o+4] = -dd / r3
	})
}

func (p pairFeatures) VJP(dxs, x, u []float64) {
	p.each(x, func(i, j, o int, dx, dy, r float64) {
		r3, r5 := r*r*r, r*r*r*r*r
		ud := dx*u[o+2] + dy*u[o+3]
		gx := u[o] + u[o+2]/r3 - 3*dx*ud/r5 - u[o+4]*dx/r3
		gy := u[o+1] + u[o+3]/r3 - 3*dy*ud/r5 - u[o+4]*dy/r3
		dxs[2*i] += gx
		dxs[2*i+1] += gy
		dxs[2*j] -= gx
		dxs[2*j+1] -= gy
	})
}

// fieldCases are the fields the tests run: first and second order, with the
// identity and with pair features, with each smooth activation.
func fieldCases(t *testing.T) map[string]*learned.NeuralField {
	t.Helper()
	cfgs := map[string]learned.FieldConfig{
		"order1-identity-tanh":   {StateDim: 3, Hidden: []int{8, 8}},
		"order1-softplus":        {StateDim: 4, Hidden: []int{6}, Activation: learned.Softplus},
		"order2-identity":        {StateDim: 4, Order: 2, Hidden: []int{5}, VelocityScale: 0.7},
		"order2-pairs-tanh":      {StateDim: 12, Order: 2, Features: pairFeatures{Bodies: 3}, Hidden: []int{16, 16}, VelocityScale: 2},
		"order2-pairs-sigmoid":   {StateDim: 12, Order: 2, Features: pairFeatures{Bodies: 3}, Hidden: []int{8}, Activation: learned.Sigmoid},
		"order1-no-hidden-layer": {StateDim: 2},
	}
	out := map[string]*learned.NeuralField{}
	for name, c := range cfgs {
		f, err := learned.NewNeuralField(c)
		require.NoError(t, err, name)
		out[name] = f
	}
	return out
}

// threeBodyState places three bodies in the plane well apart (r ≳ 0.5, where
// the pair features and their derivatives are O(1)–O(10)), with velocities.
func threeBodyState(dim int) []float64 {
	z := make([]float64, dim)
	copy(z, []float64{0.1, -0.2, 1.1, 0.3, -0.4, 0.9, 0.3, -0.5, 0.2, 0.1, -0.6, 0.4})
	return z
}

// TestNeuralFieldDerivatives runs dynamics.CheckDerivatives, whose central
// differences are good to ~1e-8 on these O(1) networks: the bound 1e-6 is the
// brief's and leaves two orders of margin.
func TestNeuralFieldDerivatives(t *testing.T) {
	for name, f := range fieldCases(t) {
		t.Run(name, func(t *testing.T) {
			theta := learned.NewParams(f, 11)
			addNoise(learned.NewRand(12), theta, 0.1)
			worst, err := dynamics.CheckDerivatives(f, 0.3, threeBodyState(f.Dim()), theta)
			require.NoError(t, err)
			t.Logf("CheckDerivatives worst error %.2g", worst)
			assert.LessOrEqual(t, worst, 1e-6)
		})
	}
}

func TestNeuralFieldSecondOrderStructure(t *testing.T) {
	f, err := learned.NewNeuralField(learned.FieldConfig{StateDim: 4, Order: 2, Hidden: []int{3}, VelocityScale: 0.5})
	require.NoError(t, err)
	theta := learned.NewParams(f, 1)
	z := []float64{1, 2, 3, 4}
	dst := make([]float64, 4)
	f.Func(dst, 0, z, theta)
	assert.Equal(t, []float64{1.5, 2}, dst[:2], "dq/dt = 0.5·p")
	// The acceleration depends on q only.
	acc := append([]float64(nil), dst[2:]...)
	f.Func(dst, 0, []float64{1, 2, -7, 9}, theta)
	assert.Equal(t, acc, dst[2:])
	// VJP adds, and a nil dtheta skips the parameters.
	dz := []float64{1, 1, 1, 1}
	f.VJP(dz, nil, 0, z, theta, []float64{2, 4, 0, 0})
	assert.Equal(t, []float64{1, 1, 2, 3}, dz)
}

// TestNeuralFieldAllocs: Func, JVP and VJP allocate nothing once built.
func TestNeuralFieldAllocs(t *testing.T) {
	for name, f := range fieldCases(t) {
		theta := learned.NewParams(f, 2)
		z := threeBodyState(f.Dim())
		dst, v, dz, dth := make([]float64, f.Dim()), make([]float64, f.Dim()), make([]float64, f.Dim()), make([]float64, len(theta))
		for i := range v {
			v[i] = 1
		}
		vth := filled(len(theta), 0.1)
		assert.Zero(t, testing.AllocsPerRun(20, func() { f.Func(dst, 0, z, theta) }), "%s Func", name)
		assert.Zero(t, testing.AllocsPerRun(20, func() { f.JVP(dst, 0, z, theta, v, vth) }), "%s JVP", name)
		assert.Zero(t, testing.AllocsPerRun(20, func() { f.VJP(dz, dth, 0, z, theta, v) }), "%s VJP", name)
	}
}

// TestNeuralFieldClone: clones on parallel goroutines give bit-identical
// results to the original (run with -race to see they share nothing mutable).
func TestNeuralFieldClone(t *testing.T) {
	f := fieldCases(t)["order2-pairs-tanh"]
	theta := learned.NewParams(f, 3)
	z := threeBodyState(f.Dim())
	u := filled(f.Dim(), 1)
	want := make([]float64, len(theta))
	f.VJP(make([]float64, f.Dim()), want, 0, z, theta, u)
	var wg sync.WaitGroup
	got := make([][]float64, 4)
	for g := range got {
		c := dynamics.Clone(f)
		wg.Go(func() {
			got[g] = make([]float64, len(theta))
			dz := make([]float64, f.Dim())
			for range 50 {
				clear(got[g])
				c.VJP(dz, got[g], 0, z, theta, u)
			}
		})
	}
	wg.Wait()
	for _, g := range got {
		assert.Equal(t, want, g)
	}
}

func TestNeuralFieldConfigErrors(t *testing.T) {
	for _, c := range []learned.FieldConfig{
		{StateDim: 0},
		{StateDim: 3, Order: 2},
		{StateDim: 2, Order: 3},
		{StateDim: 2, Hidden: []int{4, 0}},
		{StateDim: 2, Activation: "gelu"},
	} {
		_, err := learned.NewNeuralField(c)
		assert.ErrorIs(t, err, learned.ErrConfig, "%+v", c)
	}
}

// decodeTestFeatures is the FeatureDecoder for pairFeatures.
func decodeTestFeatures(kind string, config json.RawMessage) (learned.Features, error) {
	if kind != "test-pairs" {
		return nil, fmt.Errorf("unknown kind %q", kind)
	}
	var p pairFeatures
	err := json.Unmarshal(config, &p)
	return p, err
}
