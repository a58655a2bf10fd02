package integrate_test

import (
	"testing"

	"github.com/physid/physid/integrate"
	"github.com/physid/physid/internal/problems"
)

// BenchmarkRobertson solves Robertson's kinetics to t = 1e5 at rtol 1e-6,
// atol 1e-10 with each implicit method and Auto.
func BenchmarkRobertson(b *testing.B) {
	for _, tb := range append(append([]*integrate.Tableau(nil), integrate.ImplicitTableaux...), integrate.Auto) {
		b.Run(tb.Name, func(b *testing.B) {
			s := integrate.NewSolver(&integrate.Settings{Method: tb, RTol: 1e-6, ATol: 1e-10})
			dst := make([]float64, 3)
			z0, times := []float64{1, 0, 0}, []float64{1e5}
			var st integrate.Stats
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if st, err = s.Solve(dst, problems.Robertson{}, problems.RobertsonTheta, 0, z0, times, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Accepted), "steps/op")
			b.ReportMetric(float64(st.NFE), "nfe/op")
			b.ReportMetric(float64(st.Jacobians), "jac/op")
			b.ReportMetric(float64(st.Factorizations), "lu/op")
		})
	}
}

// BenchmarkImplicitStep is one Kvaerno5 step of Robertson (h = 0.1 from the
// solution at t = 1, constant step): Jacobian, factorization and the Newton
// iterations of six stages.
func BenchmarkImplicitStep(b *testing.B) {
	at1, _, err := integrate.Solve(problems.Robertson{}, problems.RobertsonTheta, 0, []float64{1, 0, 0}, []float64{1},
		&integrate.Settings{Method: integrate.Kvaerno5, RTol: 1e-10, ATol: 1e-14})
	if err != nil {
		b.Fatal(err)
	}
	s := integrate.NewSolver(&integrate.Settings{Method: integrate.Kvaerno5, Step: 0.1, Controller: integrate.Constant{}})
	dst := make([]float64, 3)
	z0, times := at1[0], []float64{1.1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Solve(dst, problems.Robertson{}, problems.RobertsonTheta, 1, z0, times, nil); err != nil {
			b.Fatal(err)
		}
	}
}
