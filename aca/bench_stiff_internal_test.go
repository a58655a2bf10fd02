package aca

import (
	"testing"

	"github.com/physid/physid/integrate"
	"github.com/physid/physid/internal/problems"
)

// BenchmarkRobertsonGradient is dL/dθ of the Robertson problem of the
// implicit gradient tests (observations to t = 1e5) through Kvaerno5 by ACA
// and by forward sensitivities.
func BenchmarkRobertsonGradient(b *testing.B) {
	c := stiffCases()[0]
	s := &Settings{Method: integrate.Kvaerno5, RTol: 1e-6, ATol: 1e-10}
	for _, m := range []Method{&ACA{}, &Forward{}} {
		b.Run(m.Name(), func(b *testing.B) {
			var res *Result
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if res, err = m.Gradient(c.p, s); err != nil {
					b.Fatal(err)
				}
			}
			st := res.Stats
			b.ReportMetric(float64(st.Accepted), "steps/op")
			b.ReportMetric(float64(st.NFEForward), "nfe_fwd/op")
			b.ReportMetric(float64(st.NFEBackward), "nfe_bwd/op")
			b.ReportMetric(float64(st.Jacobians), "jac/op")
			b.ReportMetric(float64(st.Factorizations), "lu/op")
		})
	}
}

// BenchmarkImplicitBackwardStep is ACA's adjoint of one Kvaerno5 step of
// Robertson: six Jacobians, LUs and transpose solves, seven VJPs.
func BenchmarkImplicitBackwardStep(b *testing.B) {
	var w dirkAdjoint
	tb := integrate.Kvaerno5
	w.setup(tb, 3)
	z, lam, dth := []float64{0.9, 1e-5, 0.1}, []float64{1, 1, 1}, []float64{0, 0, 0}
	k := make([]float64, 3*tb.Stages())
	b.ReportAllocs()
	for b.Loop() {
		w.step(problems.Robertson{}, problems.RobertsonTheta, 0, 0.1, z, k, lam, dth)
	}
}
