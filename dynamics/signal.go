package dynamics

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// Breakpointer is an optional interface for models whose right-hand side
// jumps at known times: a measured input held constant between samples, a
// dose, a switch. Solvers stop at every breakpoint inside the span they
// integrate and restart there, so that no step straddles a jump (a step
// across one is both inaccurate and, for an adaptive method, a cascade of
// rejections). A step ends a few rounding units before the breakpoint and
// the next starts on it: f is evaluated on the left of a jump only by the
// step that ends there and on the right only by the one that starts there.
type Breakpointer interface {
	// Breakpoints returns the jump times in increasing order. The slice is
	// the model's and is not modified by the caller.
	Breakpoints() []float64
}

// Interpolation is how a Signal is evaluated between its samples.
type Interpolation uint8

const (
	// Hold is zero-order hold: the value of the latest sample at or before t,
	// constant from each sample to the next. Its sample times are
	// breakpoints.
	Hold Interpolation = iota
	// LinearInterp interpolates linearly between neighbouring samples; it is
	// continuous and needs no breakpoints.
	LinearInterp
)

// String returns "hold" or "linear".
func (i Interpolation) String() string {
	if i == LinearInterp {
		return "linear"
	}
	return "hold"
}

// Signal is a sampled input u(t) for use inside Func: a measured pump
// voltage, a temperature, a dose schedule. At is allocation-free and, for
// increasing t (a solver's stages), O(1) amortized: it remembers the
// interval of the last call. A Signal is therefore not safe for concurrent
// use; models that hold one implement Cloner with Signal.Clone.
type Signal struct {
	// Name labels the signal in errors.
	Name string
	// Times are the sample times, strictly increasing; Values the samples.
	Times, Values []float64
	// Interpolation is Hold (the zero value) or LinearInterp.
	Interpolation Interpolation

	last int
}

// NewSignal checks the samples and returns the signal.
func NewSignal(name string, times, values []float64, in Interpolation) (*Signal, error) {
	if len(times) == 0 || len(times) != len(values) {
		return nil, fmt.Errorf("dynamics: input %s: %d times and %d values (want equal, at least 1)", name, len(times), len(values))
	}
	for i, t := range times {
		if math.IsNaN(t) || math.IsInf(t, 0) || math.IsNaN(values[i]) || math.IsInf(values[i], 0) {
			return nil, fmt.Errorf("dynamics: input %s: sample %d (t=%v) is %v", name, i, t, values[i])
		}
		if i > 0 && !(t > times[i-1]) {
			return nil, fmt.Errorf("dynamics: input %s: sample times must increase: t[%d]=%g after %g", name, i, t, times[i-1])
		}
	}
	return &Signal{Name: name, Times: times, Values: values, Interpolation: in}, nil
}

// Check returns an error naming the signal and the time when t is outside
// its samples [Times[0], Times[len−1]]. At cannot fail (it is called inside
// Func); a model calls Check from its StateChecker at each accepted point, so
// a solve past the data stops with this error.
func (s *Signal) Check(t float64) error {
	if n := len(s.Times); !(t >= s.Times[0] && t <= s.Times[n-1]) {
		return fmt.Errorf("dynamics: input %s needed at t=%.6g, outside its data [%g, %g]", s.Name, t, s.Times[0], s.Times[n-1])
	}
	return nil
}

// At returns u(t). Outside the sample range it returns the nearest sample (see
// Check); a hold signal is defined up to and including its last sample time.
func (s *Signal) At(t float64) float64 {
	n := len(s.Times)
	if t < s.Times[0] || t > s.Times[n-1] || math.IsNaN(t) {
		if t < s.Times[0] {
			return s.Values[0]
		}
		return s.Values[n-1]
	}
	i := s.last
	if i >= n || s.Times[i] > t || (i+1 < n && s.Times[i+1] <= t) {
		if i+1 < n && s.Times[i+1] <= t && (i+2 >= n || s.Times[i+2] > t) {
			i++
		} else {
			i = sort.SearchFloat64s(s.Times, t)
			if i == n || s.Times[i] > t {
				i--
			}
		}
		s.last = i
	}
	if s.Interpolation == Hold || i == n-1 {
		return s.Values[i]
	}
	t0, t1 := s.Times[i], s.Times[i+1]
	w := (t - t0) / (t1 - t0)
	return s.Values[i] + w*(s.Values[i+1]-s.Values[i])
}

// Breakpoints returns the sample times of a hold signal (its jumps) and nil
// for a linear one.
func (s *Signal) Breakpoints() []float64 {
	if s.Interpolation == Hold {
		return s.Times
	}
	return nil
}

// Clone returns a copy with its own lookup position; the samples
// are shared (they are never written).
func (s *Signal) Clone() *Signal {
	c := *s
	c.last = 0
	return &c
}

// MergeBreakpoints returns the sorted union of several breakpoint lists,
// without duplicates.
func MergeBreakpoints(lists ...[]float64) []float64 {
	var all []float64
	for _, l := range lists {
		all = append(all, l...)
	}
	sort.Float64s(all)
	return slices.Compact(all)
}
