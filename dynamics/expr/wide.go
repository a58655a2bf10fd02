package expr

// The wide form runs models whose workspace does not fit smallSlots slots:
// 32-bit slot indices, masked with len(slots)−1 (the workspace has a
// power-of-two length), through hot and cold.

// funcWide is Func in the wide form.
func (m *Model) funcWide(dst []float64, t float64, z, theta []float64) {
	c := m.c
	s := m.slots
	if k := hot(s, c.fn.code, 0, t, z, theta); k < len(c.fn.code) {
		m.finish(&c.fn, k, t)
	}
	mask := uint(len(s) - 1)
	bad := 0.0
	for i, o := range c.fn.out[:len(dst)] {
		v := s[uint(o.slot)&mask]
		dst[i] = v
		bad += v - v // stays 0 unless some v is NaN or ±Inf
	}
	if bad != 0 {
		m.flagNonFinite(dst, t)
	}
}

// jvpWide is JVP in the wide form.
func (m *Model) jvpWide(dst []float64, t float64, z, theta, vz, vtheta []float64) {
	c := m.c
	prog := &c.jacZ
	if vtheta != nil {
		prog = &c.jac
	}
	s := m.slots
	if k := hot(s, prog.code, 0, t, z, theta); k < len(prog.code) {
		m.finish(prog, k, t)
	}
	mask := uint(len(s) - 1)
	for i := range dst {
		dst[i] = 0 // a loop: clear would call memclr
	}
	for _, o := range prog.out[:c.nzp] {
		dst[o.i] += o.sign * float64(s[uint(o.slot)&mask]*s[uint(o.slot2)&mask]) * vz[o.j]
	}
	for _, o := range prog.out[c.nzp:] {
		dst[o.i] += o.sign * float64(s[uint(o.slot)&mask]*s[uint(o.slot2)&mask]) * vtheta[o.j]
	}
}

// vjpWide is VJP in the wide form.
func (m *Model) vjpWide(dz, dtheta []float64, t float64, z, theta, u []float64) {
	c := m.c
	prog := &c.jacZ
	if dtheta != nil {
		prog = &c.jac
	}
	s := m.slots
	if k := hot(s, prog.code, 0, t, z, theta); k < len(prog.code) {
		m.finish(prog, k, t)
	}
	mask := uint(len(s) - 1)
	for _, o := range prog.out[:c.nzp] {
		dz[o.j] += u[o.i] * (o.sign * float64(s[uint(o.slot)&mask]*s[uint(o.slot2)&mask]))
	}
	for _, o := range prog.out[c.nzp:] {
		dtheta[o.j] += u[o.i] * (o.sign * float64(s[uint(o.slot)&mask]*s[uint(o.slot2)&mask]))
	}
}
