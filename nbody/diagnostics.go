package nbody

import "gonum.org/v1/gonum/floats"

// KineticEnergy returns Σ_i ½ m_i K2 |v_i|², the kinetic part of Energy.
func (g Gravity) KineticEnergy(z, masses []float64) float64 {
	checkLen("KineticEnergy", "z", len(z), g.Dim())
	checkLen("KineticEnergy", "masses", len(masses), g.Bodies)
	d := g.Dims
	v := g.Velocities(z)
	e := 0.0
	for i, m := range masses {
		vi := v[i*d : i*d+d]
		e += m * floats.Dot(vi, vi)
	}
	return 0.5 * g.k2() * e
}

// PotentialEnergy returns −Σ_{i<j} K1 m_i m_j / |r_i − r_j|, the potential part
// of Energy.
func (g Gravity) PotentialEnergy(z, masses []float64) float64 {
	checkLen("PotentialEnergy", "z", len(z), g.Dim())
	checkLen("PotentialEnergy", "masses", len(masses), g.Bodies)
	n, d := g.Bodies, g.Dims
	r := g.Positions(z)
	e := 0.0
	for i := 0; i < n; i++ {
		ri := r[i*d : i*d+d]
		for j := i + 1; j < n; j++ {
			e += masses[i] * masses[j] / floats.Distance(ri, r[j*d:j*d+d], 2)
		}
	}
	return -g.k1() * e
}

// Energy returns the conserved total energy in the model's units,
//
//	E = Σ_i ½ m_i K2 |v_i|² − Σ_{i<j} K1 m_i m_j / |r_i − r_j|.
//
// The factor K2 in the kinetic term is what makes E constant along solutions
// when K2 ≠ 1; see the package documentation for the proof.
func (g Gravity) Energy(z, masses []float64) float64 {
	return g.KineticEnergy(z, masses) + g.PotentialEnergy(z, masses)
}

// Momentum writes the total momentum Σ_i m_i v_i (length Dims) into dst. It is
// constant along solutions: the forces between each pair cancel.
func (g Gravity) Momentum(dst, z, masses []float64) {
	checkLen("Momentum", "dst", len(dst), g.Dims)
	checkLen("Momentum", "z", len(z), g.Dim())
	checkLen("Momentum", "masses", len(masses), g.Bodies)
	weightedSum(dst, g.Velocities(z), masses, 1)
}

// CenterOfMass writes Σ_i m_i r_i / Σ_i m_i (length Dims) into dst. It moves in
// a straight line with velocity K2·P/Σm, P the total momentum.
func (g Gravity) CenterOfMass(dst, z, masses []float64) {
	checkLen("CenterOfMass", "dst", len(dst), g.Dims)
	checkLen("CenterOfMass", "z", len(z), g.Dim())
	checkLen("CenterOfMass", "masses", len(masses), g.Bodies)
	weightedSum(dst, g.Positions(z), masses, 1/floats.Sum(masses))
}

// weightedSum writes scale·Σ_i w_i x_i into dst, x holding len(w) blocks of len(dst).
func weightedSum(dst, x, w []float64, scale float64) {
	d := len(dst)
	clear(dst)
	for i, m := range w {
		floats.AddScaled(dst, m, x[i*d:i*d+d])
	}
	floats.Scale(scale, dst)
}
