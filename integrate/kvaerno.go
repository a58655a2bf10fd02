package integrate

import "math"

// The ESDIRK methods of Kværnø, "Singly diagonally implicit Runge–Kutta methods
// with an explicit first stage", BIT 44 (2004) 489–502: L-stable, stiffly
// accurate (the last stage is the new state, so the last row of A is B) and
// FSAL, with an embedded solution that is the second-last stage (also stiffly
// accurate), so B̂ is the second-last row of A. The coefficients of the 3(2)
// and 4(3) pairs are the paper's closed forms in γ; those of the 5(4) pair
// are its tabulated values. The predictors extrapolate the earlier stage
// derivatives to the stage's time, as in Kennedy & Carpenter, NASA TM-2016-219173
// (Sec. 6.4); the 5(4) ones are those tabulated with OrdinaryDiffEq.jl's
// Kvaerno5. A test checks the order conditions of B and B̂ (Butcher trees
// up to the claimed orders) and the L-stability of each pair.

// Kvaerno3 is Kværnø's ESDIRK 3(2) pair: 4 stages (3 implicit), γ the root
// near 0.4359 of 6γ³ − 18γ² + 9γ − 1 = 0.
var Kvaerno3 = kvaerno3()

// Kvaerno4 is Kværnø's ESDIRK 4(3) pair propagating the fourth-order
// solution: 5 stages (4 implicit), γ = 0.5728160625.
var Kvaerno4 = kvaerno4()

// Kvaerno5 is Kværnø's ESDIRK 5(4) pair: 7 stages (6 implicit), γ = 0.26.
var Kvaerno5 = kvaerno5()

// Auto is Dopri5 with stiffness detection that switches to Kvaerno5 while the
// problem is stiff and back when it is not (the idea of LSODA; Petzold, SIAM
// J. Sci. Stat. Comput. 4 (1983) 136–148).
var Auto = &Tableau{
	Name: "auto", Order: Dopri5.Order, ErrOrder: Dopri5.ErrOrder,
	C: Dopri5.C, A: Dopri5.A, B: Dopri5.B, BErr: Dopri5.BErr,
	Stiff: Kvaerno5,
}

func kvaerno3() *Tableau {
	g := 0.43586652150845900 // 6γ³ − 18γ² + 9γ − 1 = 0
	a31 := (-4*g*g + 6*g - 1) / (4 * g)
	a32 := (-2*g + 1) / (4 * g)
	a41 := (6*g - 1) / (12 * g)
	a42 := -1 / ((24*g - 12) * g)
	a43 := (-6*g*g + 6*g - 1) / (6*g - 3)
	th := 1 / (2 * g)
	return &Tableau{
		Name: "kvaerno3", Order: 3, ErrOrder: 2,
		C:         []float64{0, 2 * g, 1, 1},
		A:         [][]float64{nil, {g, g}, {a31, a32, g}, {a41, a42, a43, g}},
		B:         []float64{a41, a42, a43, g},
		BErr:      []float64{a41 - a31, a42 - a32, a43 - g, g},
		Predictor: [][]float64{nil, {1}, {1 - th, th}, {a31, a32, g}},
	}
}

func kvaerno4() *Tableau {
	g := 0.5728160625
	p := func(cs ...float64) float64 { // Horner: cs[0]γⁿ + … + cs[n]
		v := 0.0
		for _, c := range cs {
			v = v*g + c
		}
		return v
	}
	q := p(12, -6, 1)
	a31 := p(144, -180, 81, -15, 1) * g / (q * q)
	a32 := p(-36, 39, -15, 2) * g / (q * q)
	a41 := p(-144, 396, -330, 117, -18, 1) / (12 * g * g * p(12, -9, 2))
	a42 := p(72, -126, 69, -15, 1) / (12 * g * g * p(3, -1))
	a43 := p(-6, 6, -1) * q * q / (12 * g * g * p(12, -9, 2) * p(3, -1))
	a51 := p(288, -312, 120, -18, 1) / (48 * g * g * p(12, -9, 2))
	a52 := p(24, -12, 1) / (48 * g * g * p(3, -1))
	a53 := -math.Pow(q, 3) / (48 * g * g * p(3, -1) * p(12, -9, 2) * p(6, -6, 1))
	a54 := p(-24, 36, -12, 1) / p(24, -24, 4)
	c2, c3 := 2*g, g+a31+a32
	th1, th2 := c3/c2, (1-c2)/(c3-c2)
	return &Tableau{
		Name: "kvaerno4", Order: 4, ErrOrder: 3,
		C: []float64{0, c2, c3, 1, 1},
		A: [][]float64{nil, {g, g}, {a31, a32, g}, {a41, a42, a43, g}, {a51, a52, a53, a54, g}},
		B: []float64{a51, a52, a53, a54, g},
		// B − (a41, a42, a43, γ, 0)
		BErr:      []float64{a51 - a41, a52 - a42, a53 - a43, a54 - g, g},
		Predictor: [][]float64{nil, {1}, {1 - th1, th1}, {0, 1 - th2, th2}, {a41, a42, a43, g}},
	}
}

func kvaerno5() *Tableau {
	const g = 0.26
	a := [][]float64{
		nil,
		{g, g},
		{0.13, 0.84033320996790809, g},
		{0.22371961478320505, 0.47675532319799699, -0.06470895363112615, g},
		{0.16648564323248321, 0.10450018841591720, 0.03631482272098715, -0.13090704451073998, g},
		{0.13855640231268224, 0, -0.04245337201752043, 0.02446657898003141, 0.61943039072480676, g},
		{0.13659751177640291, 0, -0.05496908796538376, -0.04118626728321046, 0.62993304899016403, 0.06962479448202728, g},
	}
	c := make([]float64, len(a))
	for s, row := range a {
		for _, v := range row {
			c[s] += v
		}
	}
	c[5], c[6] = 1, 1
	b := append([]float64(nil), a[6]...)
	berr := make([]float64, len(b))
	for j := range b {
		berr[j] = b[j]
		if j < len(a[5]) {
			berr[j] -= a[5][j]
		}
	}
	return &Tableau{
		Name: "kvaerno5", Order: 5, ErrOrder: 4,
		C: c, A: a, B: b, BErr: berr,
		Predictor: [][]float64{
			nil,
			{1},
			{-1.366025403784441, 2.3660254037844357},
			{-0.19650552613122207, 0.8113579546496623, 0.38514757148155954},
			{0.10375304369958693, 0.937994698066431, -0.04174774176601781, 0},
			{-0.17281112873898072, 0.6235784481025847, 0.5492326806363959, 0, 0},
			a[5],
		},
	}
}
