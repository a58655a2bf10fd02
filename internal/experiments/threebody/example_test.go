package threebody_test

import (
	"context"
	"fmt"

	"github.com/physid/physid/internal/experiments/threebody"
)

// The physics model against the truth on the paper's three-body problem:
// the other models (lstm, lstm-aug, node) are compared the same way, with
// Models left nil.
func ExampleCompareThreeBody() {
	p, masses := threebody.PaperProblem(1000, 0, 0)
	c, err := threebody.CompareThreeBody(context.Background(), threebody.CompareConfig{
		Problem: p, TrueParams: masses, Runs: 1, Models: []string{"ode"}, Methods: []string{"aca"}})
	if err != nil {
		panic(err)
	}
	r := c.Row("ode", "aca")
	fmt.Printf("%s %s: %d parameters, masses %.4f, test MSE on [0, %g] below 1e-6: %v\n",
		r.Model, r.Method, r.Parameters, r.Runs[0].Params, c.Times[len(c.Times)-1], r.TestMSEMean < 1e-6)
	// Output:
	// ode aca: 3 parameters, masses [1.1000 1.1000 0.9000], test MSE on [0, 2] below 1e-6: true
}
