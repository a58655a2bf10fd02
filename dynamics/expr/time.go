package expr

// differentiateTime finds ∂f_i/∂t symbolically, leaving c.ft nil when no
// equation mentions t (the model is autonomous and DfDt writes zeros without
// running a program).
func (c *compiled) differentiateTime(t int32) {
	zero := c.g.num(0)
	memo := make(map[int32]int32)
	ft := make([]int32, len(c.f))
	any := false
	for i, r := range c.f {
		ft[i] = c.g.deriv(r, t, memo)
		any = any || ft[i] != zero
	}
	if any {
		c.ft = ft
	}
}

// DfDt writes ∂f/∂t at (t, z, θ) into dst (dynamics.TimeDerivative), derived
// symbolically when the model is built. For a model whose equations do not
// mention t it writes zeros and evaluates nothing. A domain error is recorded
// as by the other derivatives.
func (m *Model) DfDt(dst []float64, t float64, z, theta []float64) {
	if len(dst) != m.n || len(z) != m.n || len(theta) != m.p {
		panic(lenMessage("DfDt", m.n, m.p, len(dst), len(z), len(theta)))
	}
	c := m.c
	if c.ft == nil {
		for i := range dst {
			dst[i] = 0 // a loop: clear would call memclr
		}
		return
	}
	s := m.slots
	if k := hot(s, c.dt.code, 0, t, z, theta); k < len(c.dt.code) {
		m.finish(&c.dt, k, t)
	}
	mask := uint(len(s) - 1)
	for i, o := range c.dt.out[:len(dst)] {
		dst[i] = s[uint(o.slot)&mask]
	}
}
