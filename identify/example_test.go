package identify_test

import (
	"context"
	"fmt"
	"math"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/identify"
)

// Fit the decay rate of y' = k·y from five exact points of y = 2·e^{−0.5t}
// with Levenberg–Marquardt; the optimizer is a value, as in gonum's Minimize.
func ExampleFit() {
	times := []float64{0.5, 1, 1.5, 2, 2.5}
	values := make([]float64, len(times))
	for i, t := range times {
		values[i] = 2 * math.Exp(-0.5*t)
	}
	p := &identify.Problem{
		Model:  dynamics.Exponential{},
		Params: []identify.Parameter{{Name: "k", Init: -0.1}},
		Z0:     []float64{2},
		Times:  times,
		Values: values,
		Solver: aca.Settings{RTol: 1e-10, ATol: 1e-12},
	}
	res, err := identify.Fit(context.Background(), p, &identify.Options{Jitter: -1}, &identify.LM{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("k = %.4g (%s, loss below 1e-20: %v)\n", res.Params[0], res.Starts[0].Status, res.Loss < 1e-20)
	// Output:
	// k = -0.5 (converged, loss below 1e-20: true)
}
