package nbody

import (
	"errors"
	"fmt"
	"math"
)

// Errors reported by CheckState and Validate; branch on them with errors.Is.
var (
	// ErrCloseEncounter means two bodies came closer than MinSeparation, where
	// the unsoftened force would overflow or the solver grind to a halt.
	ErrCloseEncounter = errors.New("nbody: close encounter")
	// ErrNonPositiveMass means a mass is zero, negative or not finite.
	ErrNonPositiveMass = errors.New("nbody: non-positive mass")
	// ErrInvalid means the system or its initial state is malformed: a count
	// below 1, a slice of the wrong length, a non-finite number.
	ErrInvalid = errors.New("nbody: invalid system")
)

// closestPair returns the 0-based pair (i, j), i < j, with the smallest squared
// separation s2 among pairs closer than limit; ok is false when there is none.
// Pairs whose separation is NaN are not reported.
func (g Gravity) closestPair(positions []float64, limit float64) (i, j int, s2 float64, ok bool) {
	n, d := g.Bodies, g.Dims
	best := limit * limit
	for a := 0; a < n; a++ {
		ra := positions[a*d : a*d+d]
		for b := a + 1; b < n; b++ {
			rb := positions[b*d : b*d+d]
			q := dist2(ra, rb)
			if q < best {
				best, i, j, ok = q, a, b, true
			}
		}
	}
	return i, j, best, ok
}

// CheckState returns an error wrapping ErrCloseEncounter that names the closest
// two bodies (1-based), the time and their separation when any pair is closer
// than MinSeparation, and nil otherwise. It is O(N²·d) and allocates nothing
// unless it reports. Solvers call it after every accepted step.
func (g Gravity) CheckState(t float64, z, _ []float64) error {
	checkLen("CheckState", "z", len(z), g.Dim())
	minSep := g.minSeparation()
	if i, j, s2, ok := g.closestPair(g.Positions(z), minSep); ok {
		return fmt.Errorf("%w: bodies %d and %d are %.3g apart at t=%.6g (minimum separation %.3g)",
			ErrCloseEncounter, i+1, j+1, math.Sqrt(s2), t, minSep)
	}
	return nil
}

// Validate checks a system and its initial state before a solve, so that bad
// input is an error rather than a NaN trajectory: Bodies and Dims at least 1;
// Gravity, VelocityScale and MinSeparation finite and MinSeparation not negative;
// len(z0) = Dim() and len(masses) = Bodies; every number finite; every mass
// positive (ErrNonPositiveMass); no two bodies closer than MinSeparation
// (ErrCloseEncounter). Bodies and components in messages are 1-based.
func (g Gravity) Validate(z0, masses []float64) error {
	switch {
	case g.Bodies < 1:
		return fmt.Errorf("%w: Bodies = %d, want at least 1", ErrInvalid, g.Bodies)
	case g.Dims < 1:
		return fmt.Errorf("%w: Dims = %d, want at least 1", ErrInvalid, g.Dims)
	case !finite(g.Gravity):
		return fmt.Errorf("%w: Gravity = %v", ErrInvalid, g.Gravity)
	case !finite(g.VelocityScale):
		return fmt.Errorf("%w: VelocityScale = %v", ErrInvalid, g.VelocityScale)
	case !finite(g.MinSeparation) || g.MinSeparation < 0:
		return fmt.Errorf("%w: MinSeparation = %v, want a finite value ≥ 0", ErrInvalid, g.MinSeparation)
	case len(z0) != g.Dim():
		return fmt.Errorf("%w: initial state has %d values, want %d (%d bodies × %d dimensions × position and velocity)",
			ErrInvalid, len(z0), g.Dim(), g.Bodies, g.Dims)
	case len(masses) != g.Bodies:
		return fmt.Errorf("%w: %d masses for %d bodies", ErrInvalid, len(masses), g.Bodies)
	}
	names := g.StateNames()
	for i, x := range z0 {
		if !finite(x) {
			return fmt.Errorf("%w: initial %s = %v", ErrInvalid, names[i], x)
		}
	}
	for i, m := range masses {
		if !(m > 0) || math.IsInf(m, 1) {
			return fmt.Errorf("%w: m%d = %v", ErrNonPositiveMass, i+1, m)
		}
	}
	minSep := g.minSeparation()
	if i, j, s2, ok := g.closestPair(g.Positions(z0), minSep); ok {
		return fmt.Errorf("%w: bodies %d and %d start %.3g apart (minimum separation %.3g)",
			ErrCloseEncounter, i+1, j+1, math.Sqrt(s2), minSep)
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
