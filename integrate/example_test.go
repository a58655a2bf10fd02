package integrate_test

import (
	"fmt"
	"math"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
)

// Solve y' = −y from y(0) = 1 with the default Dopri5 and compare with e^(−t);
// y(0.5) comes from its dense output, inside a step.
func ExampleSolve() {
	times := []float64{0.5, 1}
	z, st, err := integrate.Solve(dynamics.Exponential{}, []float64{-1}, 0, []float64{1}, times, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, t := range times {
		fmt.Printf("y(%g) = %.4g, exp(-%g) = %.4g\n", t, z[i][0], t, math.Exp(-t))
	}
	fmt.Println("accepted steps:", st.Accepted, "rejected:", st.Rejected)

	// A fixed step: RK4 with h = 0.1 steps with the Constant controller.
	z, _, _ = integrate.Solve(dynamics.Exponential{}, []float64{-1}, 0, []float64{1}, []float64{1},
		&integrate.Settings{Method: integrate.RK4, Step: 0.1})
	fmt.Printf("rk4: y(1) = %.4g\n", z[0][0])
	// Output:
	// y(0.5) = 0.6065, exp(-0.5) = 0.6065
	// y(1) = 0.3679, exp(-1) = 0.3679
	// accepted steps: 8 rejected: 0
	// rk4: y(1) = 0.3679
}
