package expr

import (
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// formSpecs exercise every instruction of both forms: each operator and
// function, the fused products, min/max/abs derivatives (sign, select), and
// a division and logarithm that leave their domain inside the sampled box.
var formSpecs = []Spec{
	{State: []string{"x", "v"}, Params: []string{"mu"},
		Equations: []Equation{{"x", "v"}, {"v", "mu*(1-x*x)*v - x"}}},
	{State: []string{"x", "y", "z"}, Params: []string{"s", "r", "b"},
		Equations: []Equation{{"x", "s*(y - x)"}, {"y", "x*(r - z) - y"}, {"z", "x*y - b*z"}}},
	{State: []string{"x", "y"}, Params: []string{"a", "b"}, Constants: []Constant{{"c", 0.5}},
		Equations: []Equation{
			{"x", "exp(-a*x)*cos(y) + log(x) - sqrt(abs(y) + 1) + x/(y - c) + a*b*x*y - x*y*t"},
			{"y", "tanh(a*y) + sinh(b)*cosh(x) - pow(abs(x) + 1, b) + min(x, y)*max(a, b) + tan(x/4) + sin(t)*x^3 - 2^(-y) + x^-2 - (a*x - b*y)/(x*y + 2)"},
		}},
}

// TestSmallAndWideFormsAgree: a model's small form and its wide form give
// the same bits for f, JVP and VJP, and record the same domain errors; the
// box [-2, 2] includes x ≤ 0 (log's domain) and y = c (the division).
func TestSmallAndWideFormsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, spec := range formSpecs {
		small, err := New(spec)
		require.NoError(t, err)
		require.NotNil(t, small.ws, "small form")
		useSmall = false
		wide, err := New(spec)
		useSmall = true
		require.NoError(t, err)
		require.Nil(t, wide.ws, "wide form")

		n, p := small.Dim(), small.NumParams()
		box := func(k int) []float64 {
			x := make([]float64, k)
			for i := range x {
				x[i] = 4*rng.Float64() - 2
			}
			return x
		}
		same := func(what string, a, b []float64) {
			t.Helper()
			for i := range a {
				if math.Float64bits(a[i]) != math.Float64bits(b[i]) && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
					t.Fatalf("%v: %s[%d]: small %v, wide %v", spec.Equations, what, i, a[i], b[i])
				}
			}
		}
		for k := range 200 {
			tt, z, th := rng.Float64(), box(n), box(p)
			if k == 0 {
				z[1] = 0.5 // y = c: a division by zero in the third system
			}
			vz, vth, u := box(n), box(p), box(n)
			fs, fw := make([]float64, n), make([]float64, n)
			small.Func(fs, tt, z, th)
			wide.Func(fw, tt, z, th)
			same("f", fs, fw)
			small.JVP(fs, tt, z, th, vz, vth)
			wide.JVP(fw, tt, z, th, vz, vth)
			same("JVP", fs, fw)
			small.JVP(fs, tt, z, th, vz, nil)
			wide.JVP(fw, tt, z, th, vz, nil)
			same("JVP without vtheta", fs, fw)
			zs, ts, zw, tw := box(n), box(p), make([]float64, n), make([]float64, p)
			copy(zw, zs)
			copy(tw, ts)
			small.VJP(zs, ts, tt, z, th, u)
			wide.VJP(zw, tw, tt, z, th, u)
			same("VJP dz", zs, zw)
			same("VJP dtheta", ts, tw)
			small.VJP(zs, nil, tt, z, th, u)
			wide.VJP(zw, nil, tt, z, th, u)
			same("VJP dz without dtheta", zs, zw)
			small.DfDt(fs, tt, z, th)
			wide.DfDt(fw, tt, z, th)
			same("DfDt", fs, fw)
			es, ew := small.CheckState(tt, z, th), wide.CheckState(tt, z, th)
			assert.Equal(t, ew, es)
		}
		assert.Equal(t, wide.Err(), small.Err())
	}
}

// TestLargeModelUsesWideForm: a model whose workspace exceeds the small form
// runs in the wide form and is still right (the derivative checker) and
// allocation-free.
func TestLargeModelUsesWideForm(t *testing.T) {
	const n = 150 // a chain x_i' = k·(x_{i−1} − x_i)·x_i: 150 states, > 256 slots
	spec := Spec{Params: []string{"k"}}
	for i := range n {
		name := "x" + strconv.Itoa(i)
		spec.State = append(spec.State, name)
		prev := "x" + strconv.Itoa((i+n-1)%n)
		spec.Equations = append(spec.Equations, Equation{Name: name, Expr: "k*(" + prev + " - " + name + ")*" + name})
	}
	m, err := New(spec)
	require.NoError(t, err)
	require.Nil(t, m.ws, "too large for the small form")
	z := make([]float64, n)
	for i := range z {
		z[i] = math.Sin(float64(i))
	}
	f, dst := make([]float64, n), make([]float64, n)
	m.Func(f, 0, z, []float64{0.7})
	for i := range n {
		want := 0.7 * (z[(i+n-1)%n] - z[i]) * z[i]
		assert.InDelta(t, want, f[i], 1e-15)
	}
	dz, dth := make([]float64, n), make([]float64, 1)
	allocs := testing.AllocsPerRun(10, func() {
		m.Func(f, 0, z, []float64{0.7})
		m.JVP(dst, 0, z, []float64{0.7}, z, []float64{1})
		m.VJP(dz, dth, 0, z, []float64{0.7}, z)
	})
	assert.Zero(t, allocs)
}

// TestInterpreterCopies: Func, JVP and VJP each hold the interpreter written
// out (a shared function would cost a call per evaluation); the three copies
// must stay the same.
func TestInterpreterCopies(t *testing.T) {
	src, err := os.ReadFile("call.go")
	require.NoError(t, err)
	const begin, end = "// The interpreter: the same in Func, JVP and VJP", "\tgoto done\n"
	parts := strings.Split(string(src), begin)
	require.Len(t, parts, 4, "three copies")
	var copies []string
	for _, p := range parts[1:] {
		i := strings.Index(p, end)
		require.Positive(t, i)
		copies = append(copies, p[:i])
	}
	assert.Equal(t, copies[0], copies[1], "Func and JVP")
	assert.Equal(t, copies[0], copies[2], "Func and VJP")
}
