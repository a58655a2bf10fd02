package expr

import (
	"github.com/physid/physid/dynamics"
	"gonum.org/v1/gonum/mat"
)

var _ dynamics.Jacobian = (*Model)(nil)

// Jac writes the dense Jacobian ∂f/∂z at (t, z, θ) into dst (Dim()×Dim()):
// the symbolic partials with respect to the states that New derived, run as
// the compiled z-Jacobian program that JVP and VJP also run, with the
// structurally zero entries left 0. Implicit solvers call it once per
// Jacobian instead of Dim() JVPs. Domain errors are recorded as in JVP.
func (m *Model) Jac(dst *mat.Dense, t float64, z, theta []float64) {
	n, p := m.n, m.p
	if r, c := dst.Dims(); r != n || c != n || len(z) != n || len(theta) != p {
		panic(lenMessage("Jac", n, p, r*c, len(z), len(theta)))
	}
	c := m.c
	prog := &c.jacZ
	s := m.slots
	if k := hot(s, prog.code, 0, t, z, theta); k < len(prog.code) {
		m.finish(prog, k, t)
	}
	mask := uint(len(s) - 1)
	dst.Zero()
	for _, o := range prog.out[:c.nzp] {
		v := o.sign * float64(s[uint(o.slot)&mask]*s[uint(o.slot2)&mask])
		dst.Set(int(o.i), int(o.j), dst.At(int(o.i), int(o.j))+v)
	}
}
