package nbody_test

import (
	"fmt"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/nbody"
)

// BenchmarkCachedCalls compares one call of Gravity and of Cached on a state
// never seen before (f: a miss) and on the state of the f just before (VJP:
// a hit), for the paper's three bodies and for ten.
func BenchmarkCachedCalls(b *testing.B) {
	paper, _, _ := nbody.PaperThreeBody()
	for _, g := range []nbody.Gravity{paper, {Bodies: 10, Dims: 3}} {
		z := make([]float64, g.Dim())
		for i := range z {
			z[i] = float64(i*i%7) + 0.1*float64(i)
		}
		theta := make([]float64, g.Bodies)
		for i := range theta {
			theta[i] = 1
		}
		f, dz, dt := make([]float64, g.Dim()), make([]float64, g.Dim()), make([]float64, g.Bodies)
		for _, m := range []struct {
			name string
			d    dynamics.Dynamics
		}{{"gravity", g}, {"cached", g.Cached()}} {
			b.Run(fmt.Sprintf("%s/%dbodies/f+vjp", m.name, g.Bodies), func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					z[0] = float64(i) // a new state every time
					m.d.Func(f, 0, z, theta)
					m.d.VJP(dz, dt, 0, z, theta, f)
				}
			})
		}
	}
}
