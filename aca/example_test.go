package aca_test

import (
	"fmt"
	"math"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
)

// The paper's toy problem (Eq. 27–29): dz/dt = kz from z0 = 1 with k = 1 and
// L = z(T)² at T = 1, so dL/dk = 2T·z0²·e^{2kT} and dL/dz0 = 2z0·e^{2kT}, both 2e².
func ExampleGradient() {
	loss, err := aca.NewLeastSquares(1, nil, []float64{0}, nil) // target 0 at one time
	if err != nil {
		panic(err)
	}
	p := &aca.Problem{Model: dynamics.Exponential{}, Theta: []float64{1}, Z0: []float64{1}, Times: []float64{1}, Loss: loss}
	res, err := aca.Gradient(p, &aca.Settings{RTol: 1e-8, ATol: 1e-8}, nil) // nil method: ACA
	if err != nil {
		panic(err)
	}
	fmt.Printf("L = %.4g (exact %.4g)\n", res.Loss, math.Exp(2))
	fmt.Printf("dL/dk = %.4g, dL/dz0 = %.4g (exact %.4g)\n", res.Theta[0], res.Z0[0], 2*math.Exp(2))
	// Output:
	// L = 7.389 (exact 7.389)
	// dL/dk = 14.78, dL/dz0 = 14.78 (exact 14.78)
}
