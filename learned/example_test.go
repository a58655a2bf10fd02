package learned_test

import (
	"bytes"
	"fmt"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/learned"
)

// An MLP's forward and backward pass on one input; θ is one flat vector.
func ExampleMLP() {
	m := learned.NewMLP(nil, []int{2, 8, 1}, learned.Tanh, learned.Identity)
	theta := learned.NewParams(m, 1) // seeded: the same numbers every run
	var tape learned.Tape
	x, y := []float64{0.5, -1}, make([]float64, 1)
	m.Forward(&tape, y, x, theta, 1)

	dx, dtheta := make([]float64, 2), make([]float64, len(theta))
	m.Backward(&tape, dx, dtheta, []float64{1}, theta) // gradient of y itself
	fmt.Printf("%d parameters, y = %.4g, dy/dx = [%.4g %.4g]\n", len(theta), y[0], dx[0], dx[1])
	// Output:
	// 33 parameters, y = -0.232, dy/dx = [1.354 0.8407]
}

// A second-order neural field, q̇ = p and ṗ = MLP(φ(q)) as in the paper's
// Eq. 34 (r̈ = FC(Aug)), is a dynamics.Dynamics with analytic derivatives.
func ExampleNeuralField() {
	f, err := learned.NewNeuralField(learned.FieldConfig{
		StateDim: 4, Order: 2, // z = (q1, q2, p1, p2)
		Hidden: []int{16, 16},
	})
	if err != nil {
		panic(err)
	}
	theta := learned.NewParams(f, 7)
	z := []float64{0.3, -0.2, 1, 2}
	dzdt := make([]float64, 4)
	f.Func(dzdt, 0, z, theta)
	worst, _ := dynamics.CheckDerivatives(f, 0, z, theta)
	fmt.Printf("dq/dt = [%.4g %.4g], %d parameters, derivatives agree with FD: %v\n",
		dzdt[0], dzdt[1], f.NumParams(), worst < 1e-6)
	// Output:
	// dq/dt = [1 2], 354 parameters, derivatives agree with FD: true
}

// Adam with an exponentially decaying rate minimises (θ − 3)².
func ExampleAdam() {
	opt := &learned.Adam{LR: 0.1, Schedule: learned.ExponentialDecay{Rate: 0.995}}
	theta, grad := []float64{0}, []float64{0}
	for range 1000 {
		grad[0] = 2 * (theta[0] - 3)
		opt.Step(theta, grad)
	}
	fmt.Printf("θ = %.4g\n", theta[0])
	// Output:
	// θ = 3
}

// A trained model is saved with its architecture and read back.
func ExampleSave() {
	m := learned.NewSequence(nil, learned.CellLSTM, 3, 8, 3)
	theta := learned.NewParams(m, 1)
	var buf bytes.Buffer
	if err := learned.Save(&buf, m, theta); err != nil {
		panic(err)
	}
	got, gotTheta, err := learned.Load(&buf, nil)
	if err != nil {
		panic(err)
	}
	spec, _ := got.Spec()
	fmt.Println(spec.Kind, spec.Sequence.Cell, len(gotTheta), gotTheta[5] == theta[5])
	// Output:
	// sequence lstm 411 true
}
