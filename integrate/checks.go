package integrate

import (
	"fmt"
	"math"

	"github.com/physid/physid/dynamics"
)

// checkShapes panics on slices whose lengths do not match the model.
func checkShapes(dst []float64, m dynamics.Dynamics, theta, z0, times []float64) {
	dim := m.Dim()
	if len(z0) != dim || len(theta) != m.NumParams() || len(dst) != dim*len(times) {
		panic(fmt.Sprintf("integrate: Solve: len(z0)=%d len(theta)=%d len(dst)=%d; want %d, %d, %d",
			len(z0), len(theta), len(dst), dim, m.NumParams(), dim*len(times)))
	}
}

// checkInput rejects non-finite or non-monotone times and a non-finite z0.
func checkInput(t0 float64, z0, times []float64) error {
	if err := checkTimes(t0, times); err != nil {
		return err
	}
	for i, v := range z0 {
		if !finite(v) {
			return fmt.Errorf("%w: z0[%d] = %v", ErrBadInput, i, v)
		}
	}
	return nil
}

// checkState returns the model's own verdict on (t, z) when it implements
// dynamics.StateChecker. Solve asks it before reporting a non-finite f, so that
// a model that knows why f failed (an expression's log of a negative value, a
// close encounter of two bodies) names the cause instead of "f[i] = NaN".
func checkState(m dynamics.Dynamics, t float64, z, theta []float64) error {
	if c, ok := m.(dynamics.StateChecker); ok {
		return c.CheckState(t, z, theta)
	}
	return nil
}

const epsilon = 2.220446049250313e-16

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func firstNonFinite(x []float64) int {
	for i, v := range x {
		if !finite(v) {
			return i
		}
	}
	return -1
}

func checkTimes(t0 float64, times []float64) error {
	if !finite(t0) {
		return fmt.Errorf("%w: t0 = %v", ErrBadInput, t0)
	}
	if len(times) == 0 {
		return fmt.Errorf("%w: no output times", ErrBadInput)
	}
	dir := 0.0
	prev := t0
	for i, ti := range times {
		if !finite(ti) {
			return fmt.Errorf("%w: times[%d] = %v", ErrBadInput, i, ti)
		}
		d := ti - prev
		if i == 0 && d == 0 {
			continue
		}
		if d == 0 || (dir != 0 && d*dir < 0) {
			return fmt.Errorf("%w: times[%d] = %g after %g; output times must be strictly monotone", ErrBadInput, i, ti, prev)
		}
		if dir == 0 {
			dir = math.Copysign(1, d)
		}
		prev = ti
	}
	return nil
}
