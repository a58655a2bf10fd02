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

// Standard errors that say what they are: the default fit (LM) of a noisy
// exponential decay reports its covariance's kind, classic s²(JᵀJ)⁻¹, and
// whether the fit passed the optimality test.
func ExampleEstimateCovariance() {
	m := dynamics.Exponential{}
	times := identify.Linspace(0.25, 2.5, 10)
	values, _ := identify.Simulate(m, []float64{-0.5}, 0, []float64{2}, times, &aca.Settings{RTol: 1e-10, ATol: 1e-12})
	identify.AddNoise(values, 0.01, 1)
	p := &identify.Problem{Model: m, Params: []identify.Parameter{{Name: "k", Init: -0.1}},
		Z0: []float64{2}, Times: times, Values: values, Solver: aca.Settings{RTol: 1e-10, ATol: 1e-12}}
	res, err := identify.Fit(context.Background(), p, nil, nil)
	if err != nil {
		panic(err)
	}
	c := res.Covariance
	fmt.Printf("%s: k = %.4g ± %.2g (%s)\n", c.Kind, res.Params[0], res.StdErr[0], res.Status)
	// Output:
	// classic: k = -0.5015 ± 0.0035 (converged)
}
