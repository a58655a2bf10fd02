package nbody_test

import (
	"errors"
	"fmt"

	"github.com/physid/physid/nbody"
)

func ExamplePaperThreeBody() {
	g, masses, z0 := nbody.PaperThreeBody()
	fmt.Printf("K1 = %.4g, K2 = %.4g\n", g.Gravity, g.VelocityScale)
	fmt.Printf("E = %.4g\n", g.Energy(z0, masses))
	f := make([]float64, g.Dim())
	g.Func(f, 0, z0, masses)
	fmt.Printf("acceleration of body 1: (%.4g, %.4g, %.4g)\n", f[9], f[10], f[11])
	// Output:
	// K1 = 0.2005, K2 = 7.239
	// E = -0.9834
	// acceleration of body 1: (0.2779, -0.3422, 0.8556)
}

func ExampleGravity() {
	// Two unit masses 2 apart with K1 = K2 = 1 (the zero values' defaults):
	// each is pulled towards the other with m/s² = 1/4.
	g := nbody.Gravity{Bodies: 2, Dims: 2}
	z := []float64{-1, 0, 1, 0, 0, -0.5, 0, 0.5} // x1 y1 x2 y2 vx1 vy1 vx2 vy2
	f := make([]float64, g.Dim())
	g.Func(f, 0, z, []float64{1, 1})
	fmt.Println(g.StateNames())
	fmt.Printf("%.4g\n", f)
	// Output:
	// [x1 y1 x2 y2 vx1 vy1 vx2 vy2]
	// [0 -0.5 0 0.5 0.25 0 -0.25 0]
}

func ExampleGravity_CheckState() {
	g := nbody.Gravity{Bodies: 3, Dims: 1, MinSeparation: 1e-3}
	z := []float64{0, 1, 1.0004, 0, 0, 0} // bodies 2 and 3 almost touch
	err := g.CheckState(12.5, z, nil)
	fmt.Println(errors.Is(err, nbody.ErrCloseEncounter))
	fmt.Println(err)
	// Output:
	// true
	// nbody: close encounter: bodies 2 and 3 are 0.0004 apart at t=12.5 (minimum separation 0.001)
}

func ExampleGravity_Group() {
	g := nbody.Gravity{Bodies: 2, Dims: 3}
	idx, ok := g.Group("velocities")
	names := g.StateNames()
	for _, i := range idx {
		fmt.Print(names[i], " ")
	}
	fmt.Println(ok)
	// Output: vx1 vy1 vz1 vx2 vy2 vz2 true
}

func ExampleGravity_Augment() {
	g := nbody.Gravity{Bodies: 2, Dims: 2}
	features := make([]float64, nbody.AugmentedDim(g.Bodies, g.Dims))
	g.Augment(features, []float64{0, 0, 2, 0}) // r1 = (0, 0), r2 = (2, 0)
	fmt.Println(len(features))
	fmt.Printf("body 1: %.4g\n", features[:10])
	// Output:
	// 20
	// body 1: [0 0 -2 0 -1 0 -0.5 0 -0.25 0]
}
