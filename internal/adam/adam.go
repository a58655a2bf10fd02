// Package adam is the update rule of Adam (Kingma & Ba 2015, Algorithm 1) on a
// flat parameter vector, with optional decoupled weight decay (AdamW,
// Loshchilov & Hutter 2019). It is the one implementation behind identify.Adam
// and learned.Adam, which keep their own settings, defaults and state.
package adam

import "math"

// Params are the constants of an update, defaults already resolved.
type Params struct {
	// LR is the learning rate of this update.
	LR float64
	// Beta1 and Beta2 are the decay rates of the first and second moments.
	Beta1, Beta2 float64
	// Eps guards the denominator.
	Eps float64
	// WeightDecay is the decoupled decay per unit learning rate (0: none).
	WeightDecay float64
}

// Step makes update number t (1 for the first) of theta against grad: it
// moves the moments m and v, then
//
//	θ ← θ − lr·(m̂/(√v̂ + ε) + WeightDecay·θ),  m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ).
//
// grad is read, not changed; nothing is allocated. The slices must have one
// length.
func Step(theta, grad, m, v []float64, t int, p Params) {
	if len(grad) != len(theta) || len(m) != len(theta) || len(v) != len(theta) {
		panic("adam: theta, grad, m and v differ in length")
	}
	b1, b2 := p.Beta1, p.Beta2
	c1 := 1 - math.Pow(b1, float64(t))
	c2 := 1 - math.Pow(b2, float64(t))
	for j, g := range grad {
		mj := b1*m[j] + (1-b1)*g
		vj := b2*v[j] + (1-b2)*g*g
		m[j], v[j] = mj, vj
		theta[j] -= p.LR * ((mj/c1)/(math.Sqrt(vj/c2)+p.Eps) + p.WeightDecay*theta[j])
	}
}
