package expr_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/dynamics/expr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// eqs pairs names and expressions: eqs("x", "v", "v", "-x").
func eqs(kv ...string) []expr.Equation {
	var e []expr.Equation
	for i := 0; i < len(kv); i += 2 {
		e = append(e, expr.Equation{Name: kv[i], Expr: kv[i+1]})
	}
	return e
}

func mustNew(t testing.TB, spec expr.Spec) *expr.Model {
	t.Helper()
	m, err := expr.New(spec)
	require.NoError(t, err)
	return m
}

// The test systems, written the way a scenario file would state them.
var (
	vanDerPolSpec = expr.Spec{
		State:     []string{"x", "v"},
		Params:    []string{"mu"},
		Equations: eqs("x", "v", "v", "mu*(1-x*x)*v - x"),
	}
	lotkaVolterraSpec = expr.Spec{
		State:     []string{"prey", "predator"},
		Params:    []string{"alpha", "beta", "delta", "gamma"},
		Equations: eqs("prey", "alpha*prey - beta*prey*predator", "predator", "delta*prey*predator - gamma*predator"),
	}
	lorenzSpec = expr.Spec{
		State:     []string{"x", "y", "z"},
		Params:    []string{"sigma", "rho", "beta"},
		Equations: eqs("x", "sigma*(y - x)", "y", "x*(rho - z) - y", "z", "x*y - beta*z"),
	}
	pendulumSpec = expr.Spec{
		State:     []string{"phi", "omega"},
		Params:    []string{"g", "L", "b"},
		Equations: eqs("phi", "omega", "omega", "-g/L*sin(phi) - b*omega"),
	}
	sirSpec = expr.Spec{
		State:     []string{"S", "I", "R"},
		Params:    []string{"beta", "gamma"},
		Constants: []expr.Constant{{Name: "N", Value: 1000}},
		Equations: eqs("S", "-beta*S*I/N", "I", "beta*S*I/N - gamma*I", "R", "gamma*I"),
	}
	drivenSpec = expr.Spec{
		State:     []string{"x", "v"},
		Params:    []string{"k", "c", "w"},
		Constants: []expr.Constant{{Name: "F", Value: 0.3}},
		Equations: eqs("x", "v", "v", "-k*x - c*v + F*sin(w*t)"),
	}
	// everySpec uses every function and operator at once, coupled.
	everySpec = expr.Spec{
		State:  []string{"x", "y"},
		Params: []string{"a", "b"},
		Equations: eqs(
			"x", "exp(-a*x)*cos(y) + log(1 + x^2) - sqrt(abs(y) + 1) + x/(y + 2)",
			"y", "tanh(a*y) + sinh(b)*cosh(x) - pow(abs(x) + 1, b) + min(x, y)*max(a, b) + tan(x/4) + sin(t)*x^3 - 2^(-y)",
		),
	}
)

// TestSystemsDerivatives runs the derivative checker on the test systems at
// random points in [0.2, 1.2] (inside every domain, away from the kinks of abs,
// min and max with probability one). Central differences with h = 1e-6 are good
// to ~1e-9 on these smooth O(1) functions, so 1e-6 leaves room and still catches
// any wrong derivative, which shows as 1e-2 or more.
func TestSystemsDerivatives(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for name, spec := range map[string]expr.Spec{
		"vanderpol": vanDerPolSpec, "lotkavolterra": lotkaVolterraSpec, "lorenz": lorenzSpec,
		"pendulum": pendulumSpec, "sir": sirSpec, "driven": drivenSpec, "every": everySpec,
	} {
		t.Run(name, func(t *testing.T) {
			m := mustNew(t, spec)
			for range 20 {
				z, th := randIn(rng, m.Dim(), 0.2, 1.2), randIn(rng, m.NumParams(), 0.2, 1.2)
				worst, err := dynamics.CheckDerivatives(m, rng.Float64(), z, th)
				require.NoError(t, err)
				assert.Less(t, worst, 1e-6)
			}
			assert.NoError(t, m.Err())
		})
	}
}

// TestAgreesWithBuiltins compares the expression versions of van der Pol and
// Lotka–Volterra with the hand-written ones. f is computed by the same operations
// in the same order, so it agrees exactly; the derivatives sum the same terms in
// another order, so they differ by a few ulps of O(1) terms: 1e-14 relative to
// max(1, |value|).
func TestAgreesWithBuiltins(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		name string
		spec expr.Spec
		want dynamics.Dynamics
	}{
		{"vanderpol", vanDerPolSpec, dynamics.VanDerPol{}},
		{"lotkavolterra", lotkaVolterraSpec, dynamics.LotkaVolterra{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mustNew(t, tc.spec)
			n, p := m.Dim(), m.NumParams()
			require.Equal(t, tc.want.Dim(), n)
			require.Equal(t, tc.want.NumParams(), p)
			assert.Equal(t, tc.want.(dynamics.Named).StateNames(), m.StateNames())
			assert.Equal(t, tc.want.(dynamics.Named).ParamNames(), m.ParamNames())
			for range 50 {
				tt := rng.Float64()
				z, th := randIn(rng, n, -2, 2), randIn(rng, p, -2, 2)
				vz, vth, u := randIn(rng, n, -1, 1), randIn(rng, p, -1, 1), randIn(rng, n, -1, 1)

				got, want := make([]float64, n), make([]float64, n)
				m.Func(got, tt, z, th)
				tc.want.Func(want, tt, z, th)
				assert.Equal(t, want, got, "Func")

				m.JVP(got, tt, z, th, vz, vth)
				tc.want.JVP(want, tt, z, th, vz, vth)
				assertClose(t, want, got, 1e-14, "JVP")
				m.JVP(got, tt, z, th, vz, nil)
				tc.want.JVP(want, tt, z, th, vz, nil)
				assertClose(t, want, got, 1e-14, "JVP without vtheta")

				gz, gth := make([]float64, n), make([]float64, p)
				wz, wth := make([]float64, n), make([]float64, p)
				m.VJP(gz, gth, tt, z, th, u)
				tc.want.VJP(wz, wth, tt, z, th, u)
				assertClose(t, wz, gz, 1e-14, "VJP dz")
				assertClose(t, wth, gth, 1e-14, "VJP dtheta")
				m.VJP(gz, nil, tt, z, th, u) // adds: now twice the first result
				tc.want.VJP(wz, nil, tt, z, th, u)
				assertClose(t, wz, gz, 1e-14, "VJP without dtheta")
			}
		})
	}
}

// TestNoAllocations: the hot paths, and CheckState with and without a pending
// domain error, allocate nothing.
func TestNoAllocations(t *testing.T) {
	m := mustNew(t, everySpec)
	z, th := []float64{0.5, 0.7}, []float64{0.3, 0.9}
	dst, dz, dth := make([]float64, 2), make([]float64, 2), make([]float64, 2)
	for name, f := range map[string]func(){
		"Func":             func() { m.Func(dst, 0.1, z, th) },
		"JVP":              func() { m.JVP(dst, 0.1, z, th, z, th) },
		"JVP nil vtheta":   func() { m.JVP(dst, 0.1, z, th, z, nil) },
		"VJP":              func() { m.VJP(dz, dth, 0.1, z, th, z) },
		"VJP nil dtheta":   func() { m.VJP(dz, nil, 0.1, z, th, z) },
		"DfDt":             func() { m.DfDt(dst, 0.1, z, th) },
		"DfDt, autonomous": func() { mustNewCached(t, vanDerPolSpec).DfDt(dst, 0.1, z, th[:1]) },
		"CheckState":       func() { _ = m.CheckState(0.1, z, th) },
		"domain error":     func() { m.Func(dst, 0.1, []float64{-3, 0}, th); m.Reset() },
		"rejected trial":   func() { m.Func(dst, 0.1, []float64{-3, 0}, th); _ = m.CheckState(0.1, z, th) },
		"Func, pendulum":   func() { mustNewCached(t, pendulumSpec).Func(dst, 0.1, z, []float64{1, 2, 3}) },
		"VJP, vanderpol":   func() { mustNewCached(t, vanDerPolSpec).VJP(dz, dth[:1], 0.1, z, th[:1], z) },
		"JVP, vanderpol":   func() { mustNewCached(t, vanDerPolSpec).JVP(dst, 0.1, z, th[:1], z, th[:1]) },
		"Func, vanderpol":  func() { mustNewCached(t, vanDerPolSpec).Func(dst, 0.1, z, th[:1]) },
	} {
		f() // build cached models outside the measurement
		assert.Zero(t, testing.AllocsPerRun(100, f), name)
	}
}

var cached = map[string]*expr.Model{}

func mustNewCached(t testing.TB, spec expr.Spec) *expr.Model {
	key := spec.Equations[len(spec.Equations)-1].Expr
	if m, ok := cached[key]; ok {
		return m
	}
	m := mustNew(t, spec)
	cached[key] = m
	return m
}

func TestNames(t *testing.T) {
	m := mustNew(t, drivenSpec)
	assert.Equal(t, []string{"x", "v"}, m.StateNames())
	assert.Equal(t, []string{"k", "c", "w"}, m.ParamNames())
	m.StateNames()[0] = "changed" // a copy: the model keeps its names
	assert.Equal(t, "x", m.StateNames()[0])
	// Constants are substituted; the rewrites −a − b = −(a + b) and −s + y = y − s
	// are exact, and products list their operands in declaration order.
	assert.Equal(t, "0.3*sin(t*w) - (x*k + v*c)", m.Equation(1))
}

func randIn(rng *rand.Rand, n int, lo, hi float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = lo + (hi-lo)*rng.Float64()
	}
	return v
}

// assertClose checks |got − want| ≤ tol·max(1, |want|) entry by entry.
func assertClose(t *testing.T, want, got []float64, tol float64, msg string) {
	t.Helper()
	require.Len(t, got, len(want), msg)
	for i := range want {
		assert.LessOrEqual(t, math.Abs(got[i]-want[i]), tol*math.Max(1, math.Abs(want[i])),
			"%s[%d]: got %v, want %v", msg, i, got[i], want[i])
	}
}
