package nbody

// Units are the reference scales that make Newton's equations dimensionless:
// with r = Length·r', v = Velocity·v', t = Time·t' and m = Mass·m', the
// equations r̈ = −Σ G m_j (r_i − r_j)/|r_i − r_j|³ become Gravity's scaled form
// with K1 = G·Time·Mass/(Length²·Velocity) and K2 = Velocity·Time/Length.
type Units struct {
	// G is the gravitational constant in SI units (m³ kg⁻¹ s⁻²).
	G float64
	// Mass, Length, Velocity and Time are the reference scales in kg, m, m/s and s.
	Mass, Length, Velocity, Time float64
}

// PaperUnits returns the scales of the paper's three-body experiment: G =
// 6.67408e-11, a solar mass (1.989e30 kg), 5.326e12 m, 30 km/s, and 0.51 of the
// 79.91-year orbital period of α Centauri AB (years of 365 days).
func PaperUnits() Units {
	return Units{
		G:        6.67408e-11,
		Mass:     1.989e30,
		Length:   5.326e12,
		Velocity: 30000,
		Time:     79.91 * 365 * 24 * 3600 * 0.51,
	}
}

// Gravity returns the N-body system in these units: Gravity (K1) =
// G·Time·Mass/(Length²·Velocity) and VelocityScale (K2) = Velocity·Time/Length.
// MinSeparation is left at its default.
func (u Units) Gravity(bodies, dims int) Gravity {
	return Gravity{
		Bodies:        bodies,
		Dims:          dims,
		Gravity:       u.G * u.Time * u.Mass / (u.Length * u.Length * u.Velocity),
		VelocityScale: u.Velocity * u.Time / u.Length,
	}
}

// PaperThreeBody returns the three-body system of the paper's Sec. 4.4 in
// PaperUnits (K1 ≈ 0.2005, K2 ≈ 7.239), its true masses [1.1 1.1 0.9] and its
// initial state
//
//	r1 = (0, 0.2, 0),  r2 = (0.5, 0, 0.5),  r3 = (0, 0, 0.5),
//	v1 = (0, 0.1, 0),  v2 = (0, 0, 0.1),    v3 = (0.1, 0, 0).
//
// The slices are new on every call.
func PaperThreeBody() (g Gravity, masses, z0 []float64) {
	g = PaperUnits().Gravity(3, 3)
	masses = []float64{1.1, 1.1, 0.9}
	z0 = []float64{
		0, 0.2, 0, 0.5, 0, 0.5, 0, 0, 0.5, // positions
		0, 0.1, 0, 0, 0, 0.1, 0.1, 0, 0, // velocities
	}
	return g, masses, z0
}

// PaperTimes is the time grid of an experiment in Units' time: observations
// at Points equally spaced times on [T0, T1], and a test window [T0, Horizon]
// of HorizonPoints equally spaced times.
type PaperTimes struct {
	T0, T1        float64
	Points        int
	Horizon       float64
	HorizonPoints int
}

// PaperThreeBodyTimes returns the time grid of the paper's three-body
// experiment (Sec. 4.4, Table 5): 1000 observations on [0, 1], extrapolated
// and tested at 2000 times on [0, 2].
func PaperThreeBodyTimes() PaperTimes {
	return PaperTimes{T0: 0, T1: 1, Points: 1000, Horizon: 2, HorizonPoints: 2000}
}
