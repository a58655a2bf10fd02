package integrate_test

import (
	"math"
	"testing"
	"time"

	"github.com/physid/physid/integrate"
	"github.com/physid/physid/internal/problems"
	"github.com/stretchr/testify/require"
)

func TestRobertsonExplore(t *testing.T) {
	for _, tb := range integrate.ImplicitTableaux {
		for _, tol := range []float64{1e-6, 1e-12} {
			start := time.Now()
			got, st, err := integrate.Solve(problems.Robertson{}, problems.RobertsonTheta, 0, []float64{1, 0, 0}, []float64{1e5},
				&integrate.Settings{Method: tb, RTol: tol, ATol: tol * 1e-4, MaxSteps: 1e6})
			require.NoError(t, err)
			t.Logf("%s tol %g: %.16g %+v %v", tb.Name, tol, got[0], st, time.Since(start))
		}
	}
	_ = math.Abs
}

func TestRobertsonDopri5Explore(t *testing.T) {
	for _, tb := range []*integrate.Tableau{integrate.Dopri5, integrate.Auto, integrate.Fehlberg, integrate.BogackiShampine, integrate.HeunEuler} {
		start := time.Now()
		got, st, err := integrate.Solve(problems.Robertson{}, problems.RobertsonTheta, 0, []float64{1, 0, 0}, []float64{1e5},
			&integrate.Settings{Method: tb, RTol: 1e-6, ATol: 1e-10, MaxSteps: 1e7})
		t.Logf("%s: %v %+v %v err=%v", tb.Name, got, st, time.Since(start), err)
	}
}
