package integrate

import "math"

// initialStep chooses the first step by Hairer, Nørsett & Wanner, Solving ODEs I,
// II.4: a step that keeps an Euler step's error near the tolerance, from the
// norms of z0, f(z0) and a finite-difference estimate of the second derivative.
// It costs one evaluation of f and uses s.e and s.zn as scratch. Its norms,
// like the error norm, cover the first Settings.NormComponents components.
func (s *Solver) initialStep(r *run, f0 []float64, span, dir float64) float64 {
	rs, z, t := &s.r, s.z, r.t
	y, f1 := s.e, s.zn
	nc := len(z)
	if c := rs.normComps; c > 0 && c < nc {
		nc = c
	}
	var d0, d1 float64
	for i := range z[:nc] {
		sc := rs.atol + rs.rtol*math.Abs(z[i])
		d0 += (z[i] / sc) * (z[i] / sc)
		d1 += (f0[i] / sc) * (f0[i] / sc)
	}
	n := float64(nc)
	d0, d1 = math.Sqrt(d0/n), math.Sqrt(d1/n)
	h0 := 1e-6
	if d0 >= 1e-5 && d1 >= 1e-5 {
		h0 = 0.01 * d0 / d1
	}
	h0 = math.Min(h0, span)
	for i := range z {
		y[i] = z[i] + dir*h0*f0[i]
	}
	r.m.Func(f1, t+dir*h0, y, r.theta)
	r.st.NFE++
	d2 := 0.0
	for i := range z[:nc] {
		sc := rs.atol + rs.rtol*math.Abs(z[i])
		v := (f1[i] - f0[i]) / sc
		d2 += v * v
	}
	d2 = math.Sqrt(d2/n) / h0
	var h1 float64
	if dm := math.Max(d1, d2); dm <= 1e-15 || !finite(dm) {
		h1 = math.Max(1e-6, h0*1e-3)
	} else {
		h1 = math.Pow(0.01/dm, 1/float64(rs.tb.Order+1))
	}
	return math.Min(math.Min(100*h0, h1), span)
}
