package integrate_test

import (
	"errors"
	"fmt"

	"github.com/physid/physid/integrate"
	"github.com/physid/physid/internal/problems"
)

// Robertson's kinetics to t = 1e5: Dopri5 stops early saying the problem is
// stiff; Kvaerno5 solves it in about a hundred steps.
func ExampleKvaerno5() {
	m, theta := problems.Robertson{}, problems.RobertsonTheta
	z0, times := []float64{1, 0, 0}, []float64{1e5}
	_, _, err := integrate.Solve(m, theta, 0, z0, times, &integrate.Settings{RTol: 1e-6, ATol: 1e-10})
	fmt.Println("dopri5 stiff:", errors.Is(err, integrate.ErrStiff))
	z, st, err := integrate.Solve(m, theta, 0, z0, times,
		&integrate.Settings{Method: integrate.Kvaerno5, RTol: 1e-6, ATol: 1e-10})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("kvaerno5: y(1e5) = %.4g %.4g %.4g in %d steps\n", z[0][0], z[0][1], z[0][2], st.Accepted)
	// Output:
	// dopri5 stiff: true
	// kvaerno5: y(1e5) = 0.01787 7.275e-08 0.9821 in 101 steps
}
