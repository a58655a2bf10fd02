package aca_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"
)

// toy is the paper's Eq. 27–29: dz/dt = kz, z(0) = z0, L = z(T)².
func toy(k, z0, T float64) *aca.Problem {
	loss, err := aca.NewLeastSquares(1, nil, []float64{0}, nil)
	if err != nil {
		panic(err)
	}
	return &aca.Problem{Model: dynamics.Exponential{}, Theta: []float64{k}, Z0: []float64{z0}, Times: []float64{T}, Loss: loss}
}

// TestToyFig6 reproduces the paper's Fig. 6 setting: Dopri5 at rtol = atol =
// 1e-5, T from 1 to 10, k = z0 = 1. ACA's relative error of dL/dz0 = 2 z0 e^{2kT}
// stays below 1e-4. It is twice the forward solve's relative error (ACA
// differentiates that solve exactly); on this linear problem ∂f/∂z = k does not
// depend on z, so the adjoint's reconstruction error cannot reach dL/dz0 and its
// error is the forward one plus its own backward solve's: the three methods are
// within a factor 2 of each other here, which the test asserts. Where the
// reconstruction matters (TestACABeatsAdjointOnVanDerPol) ACA wins clearly.
func TestToyFig6(t *testing.T) {
	const k, z0 = 1.0, 1.0
	s := &aca.Settings{RTol: 1e-5, ATol: 1e-5}
	for _, T := range []float64{1, 2, 4, 6, 8, 10} {
		exact := 2 * z0 * math.Exp(2*k*T)
		rel := map[string]float64{}
		for _, m := range aca.Methods() {
			m = aca.NeedZ0(m) // the tests read dL/dz0
			res, err := m.Gradient(toy(k, z0, T), s)
			require.NoError(t, err)
			rel[m.Name()] = math.Abs(res.Z0[0]-exact) / exact
		}
		t.Logf("T=%g rel. error: aca %.3g adjoint %.3g naive %.3g forward %.3g", T, rel["aca"], rel["adjoint"], rel["naive"], rel["forward"])
		assert.LessOrEqual(t, rel["aca"], 1e-4, "T=%g", T)
		assert.LessOrEqual(t, rel["aca"], 2*rel["adjoint"], "T=%g", T)
		assert.LessOrEqual(t, rel["aca"], 2*rel["naive"], "T=%g", T)
	}
}

// TestACABeatsAdjointOnVanDerPol is the paper's Sec. 3.2 point on a nonlinear
// problem: at the same tolerance the adjoint's gradient carries the drift of
// its backward-reconstructed trajectory, and ACA's error is at least 3× smaller
// than the adjoint's at every tolerance (measured: 10–70×).
func TestACABeatsAdjointOnVanDerPol(t *testing.T) {
	p := vdpProblem(t)
	ref, err := (&aca.Forward{WithZ0: true}).Gradient(p, &aca.Settings{RTol: 1e-12, ATol: 1e-12, MaxSteps: 1e6})
	require.NoError(t, err)
	for _, tol := range []float64{1e-4, 1e-5, 1e-7} {
		s := &aca.Settings{RTol: tol, ATol: tol}
		a, err := (&aca.ACA{}).Gradient(p, s)
		require.NoError(t, err)
		adj, err := (&aca.Adjoint{}).Gradient(p, s)
		require.NoError(t, err)
		ea := math.Max(relErr(ref.Theta, a.Theta), relErr(ref.Z0, a.Z0))
		eadj := math.Max(relErr(ref.Theta, adj.Theta), relErr(ref.Z0, adj.Z0))
		t.Logf("tol=%g: aca %.3g adjoint %.3g", tol, ea, eadj)
		assert.Less(t, 3*ea, eadj)
	}
}

func vdpProblem(t *testing.T) *aca.Problem {
	vals := []float64{1.5, -0.5, 0.5, -1.2, -1.8, 0.9}
	loss, err := aca.NewLeastSquares(2, nil, vals, aca.TimeWeights([]float64{1, 2, 3}, 0.5))
	require.NoError(t, err)
	return &aca.Problem{Model: dynamics.VanDerPol{}, Theta: []float64{1.2}, Z0: []float64{2, 0}, Times: []float64{1, 2, 3}, Loss: loss}
}

// TestMethodsConverge: as tolerances shrink, every method's gradient converges
// to the reference (forward sensitivities at 1e-12, checked against finite
// differences of 1e-12 solves), and the error at 1e-10 is below 1e-6 relative.
func TestMethodsConverge(t *testing.T) {
	p := vdpProblem(t)
	ref, err := (&aca.Forward{WithZ0: true}).Gradient(p, &aca.Settings{RTol: 1e-12, ATol: 1e-12, MaxSteps: 1e6})
	require.NoError(t, err)
	// gonum's central difference (step 1e-5) of the loss of very accurate
	// solves: truncation ~1e-10·|L'''|, and the solves' 1e-12 errors divided
	// by 2h ≈ 5e-8·|L|, so 1e-7 relative is the bound.
	loss := func(mu float64) float64 {
		q := *p
		q.Theta = []float64{mu}
		r, err := (&aca.Forward{}).Gradient(&q, &aca.Settings{RTol: 1e-12, ATol: 1e-12, MaxSteps: 1e6})
		require.NoError(t, err)
		return r.Loss
	}
	fdTheta := fd.Derivative(loss, p.Theta[0], &fd.Settings{Formula: fd.Central, Step: 1e-5})
	assert.InDelta(t, fdTheta, ref.Theta[0], 1e-7*math.Abs(fdTheta))

	for _, m := range aca.Methods() {
		m = aca.NeedZ0(m) // the tests read dL/dz0
		t.Run(m.Name(), func(t *testing.T) {
			prev := math.Inf(1)
			for _, tol := range []float64{1e-4, 1e-7, 1e-10} {
				res, err := m.Gradient(p, &aca.Settings{RTol: tol, ATol: tol, MaxSteps: 1e6})
				require.NoError(t, err)
				e := relErr(ref.Theta, res.Theta)
				e = math.Max(e, relErr(ref.Z0, res.Z0))
				t.Logf("%s tol=%g rel. error %.3g (nfe %d+%d)", m.Name(), tol, e, res.Stats.NFEForward, res.Stats.NFEBackward)
				assert.Less(t, e, prev, "error must shrink with the tolerance")
				prev = e
			}
			assert.Less(t, prev, 1e-6)
		})
	}
}

// TestForwardAgreesWithACA: both differentiate the same forward solve, up to
// the solver tolerance (ACA exactly for the discrete map, forward for the
// continuous sensitivities integrated to the same tolerance).
func TestForwardAgreesWithACA(t *testing.T) {
	vals := []float64{9, 4, 8, 6, 7, 7}
	loss, err := aca.NewLeastSquares(2, nil, vals, nil)
	require.NoError(t, err)
	p := &aca.Problem{Model: dynamics.LotkaVolterra{}, Theta: []float64{1.1, 0.4, 0.1, 0.4}, Z0: []float64{10, 5}, Times: []float64{1, 2, 3}, Loss: loss}
	s := &aca.Settings{RTol: 1e-8, ATol: 1e-8}
	a, err := (&aca.ACA{}).Gradient(p, s)
	require.NoError(t, err)
	f, err := (&aca.Forward{WithZ0: true}).Gradient(p, s)
	require.NoError(t, err)
	assert.Less(t, relErr(a.Theta, f.Theta), 1e-5)
	assert.Less(t, relErr(a.Z0, f.Z0), 1e-5)
}

// TestMemoryAsTable1 checks the bytes statistic against the paper's Table 1:
// ACA holds O(N_t·dim) floats, naive grows with every attempt (more than ACA),
// the adjoint holds O(dim) whatever the horizon.
func TestMemoryAsTable1(t *testing.T) {
	vdp := func(T float64) *aca.Problem {
		loss, _ := aca.NewLeastSquares(2, nil, []float64{0, 0}, nil)
		return &aca.Problem{Model: dynamics.VanDerPol{}, Theta: []float64{1}, Z0: []float64{2, 0}, Times: []float64{T}, Loss: loss}
	}
	s := &aca.Settings{RTol: 1e-6, ATol: 1e-6}
	bytes := map[string][2]int{}
	for _, m := range aca.Methods() {
		m = aca.NeedZ0(m) // the tests read dL/dz0
		var b [2]int
		for i, T := range []float64{5, 20} {
			res, err := m.Gradient(vdp(T), s)
			require.NoError(t, err)
			b[i] = res.Stats.Bytes
			if m.Name() == "aca" {
				// t, h, output index and z per accepted step: (3 + dim) floats,
				// and the states and loss gradient at the one output time.
				assert.Equal(t, 8*(3+2)*res.Stats.Accepted+8*2*2, res.Stats.Bytes)
			}
		}
		bytes[m.Name()] = b
	}
	t.Logf("bytes T=5, T=20: %v", bytes)
	assert.Equal(t, bytes["adjoint"][0], bytes["adjoint"][1], "adjoint memory does not grow with T")
	assert.Greater(t, bytes["aca"][1], 3*bytes["aca"][0], "ACA grows with the number of steps")
	assert.Greater(t, bytes["naive"][1], 5*bytes["aca"][1], "naive keeps every attempt's stages")
	assert.Less(t, bytes["adjoint"][1], bytes["aca"][1]/10)
}

func relErr(want, got []float64) float64 {
	num, den := 0.0, 0.0
	for i := range want {
		num = math.Max(num, math.Abs(want[i]-got[i]))
		den = math.Max(den, math.Abs(want[i]))
	}
	return num / math.Max(den, 1e-300)
}

func ExampleACA() {
	loss, _ := aca.NewLeastSquares(2, nil, []float64{1, 0}, nil)
	p := &aca.Problem{Model: dynamics.VanDerPol{}, Theta: []float64{1}, Z0: []float64{2, 0}, Times: []float64{1}, Loss: loss}
	for _, m := range aca.Methods() {
		m = aca.NeedZ0(m) // the tests read dL/dz0
		res, err := aca.Gradient(p, &aca.Settings{RTol: 1e-10, ATol: 1e-10}, m)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-8s dL/dmu=%.6f\n", m.Name(), res.Theta[0])
	}
	// Output:
	// aca      dL/dmu=-0.634544
	// adjoint  dL/dmu=-0.634544
	// naive    dL/dmu=-0.634544
	// forward  dL/dmu=-0.634544
}

// TestMethodsAgreeBackwardInTime: observations before T0 (a solve backward in
// time), with one observation at T0 itself: all four methods agree with the
// reference to the solver tolerance.
func TestMethodsAgreeBackwardInTime(t *testing.T) {
	vals := []float64{2, 0, 1.5, -0.5, 0.5, -1.2, -1.8, 0.9}
	loss, err := aca.NewLeastSquares(2, nil, vals, nil)
	require.NoError(t, err)
	p := &aca.Problem{Model: dynamics.VanDerPol{}, Theta: []float64{1.2}, T0: 3, Z0: []float64{-1, 1}, Times: []float64{3, 2, 1, 0}, Loss: loss}
	ref, err := (&aca.Forward{WithZ0: true}).Gradient(p, &aca.Settings{RTol: 1e-12, ATol: 1e-12, MaxSteps: 1e6})
	require.NoError(t, err)
	for _, m := range aca.Methods() {
		m = aca.NeedZ0(m) // the tests read dL/dz0
		res, err := m.Gradient(p, &aca.Settings{RTol: 1e-10, ATol: 1e-10})
		require.NoError(t, err)
		assert.Less(t, relErr(ref.Theta, res.Theta), 1e-6, m.Name())
		assert.Less(t, relErr(ref.Z0, res.Z0), 1e-6, m.Name())
		assert.InDelta(t, ref.Loss, res.Loss, 1e-8)
	}
}

// TestRepeatedCallsMatchFreshMethods: a method value keeps its solver and
// buffers between calls; a call must still give bit for bit what a fresh
// method value gives, also after a call with other settings.
func TestRepeatedCallsMatchFreshMethods(t *testing.T) {
	p := vdpProblem(t)
	loose := &aca.Settings{RTol: 1e-4, ATol: 1e-4}
	tight := &aca.Settings{RTol: 1e-7, ATol: 1e-7}
	for _, name := range []string{"aca", "adjoint", "naive", "forward"} {
		m, err := aca.ByName(name)
		require.NoError(t, err)
		var got []*aca.Result
		for _, s := range []*aca.Settings{loose, tight, loose, nil, tight} {
			res, err := m.Gradient(p, s)
			require.NoError(t, err, name)
			got = append(got, res)
		}
		for i, s := range []*aca.Settings{loose, tight, loose, nil, tight} {
			fresh, err := aca.ByName(name)
			require.NoError(t, err)
			want, err := fresh.Gradient(p, s)
			require.NoError(t, err, name)
			assert.Equal(t, want.Theta, got[i].Theta, "%s call %d", name, i)
			assert.Equal(t, want.Z0, got[i].Z0, "%s call %d", name, i)
			assert.Equal(t, want.Stats, got[i].Stats, "%s call %d", name, i)
		}
		assert.NotEqual(t, got[0].Theta, got[1].Theta, "%s: the settings must matter", name)
	}
}

// TestNaiveWithConstantStepIsACA: with integrate.Constant the steps do not
// depend on the error estimates, so the naive program's derivative is the
// derivative of the fixed-step discrete solution, which ACA computes. The two
// sum the same terms in a different order: equal to 1e-12 relative. Naive
// lands on the observations; so does ACA here (Land).
func TestNaiveWithConstantStepIsACA(t *testing.T) {
	p := vdpProblem(t)
	s := &aca.Settings{Controller: integrate.Constant{}, Step: 0.05, Land: true}
	want, err := (&aca.ACA{}).Gradient(p, s)
	require.NoError(t, err)
	got, err := (&aca.Naive{}).Gradient(p, s)
	require.NoError(t, err)
	assert.Equal(t, want.States, got.States)
	assert.Zero(t, got.Stats.Rejected)
	for i := range want.Theta {
		assert.InEpsilon(t, want.Theta[i], got.Theta[i], 1e-12)
	}
	for i := range want.Z0 {
		assert.InEpsilon(t, want.Z0[i], got.Z0[i], 1e-12)
	}
}
