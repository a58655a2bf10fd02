package nbody

import (
	"fmt"
	"math"

	"github.com/physid/physid/dynamics"
)

// cacheSlots is how many position sets a Cached remembers: enough for the
// stages of one step of the largest tableau (Dopri5 and Tsit5 have 7), whose
// f an ACA backward step evaluates before the VJPs at the same stages.
const cacheSlots = 8

// Cached is Gravity with a workspace that remembers the pair distances of
// the last few position sets it was called at. The gradient methods call f,
// JVP and VJP at the same state again and again — ACA's backward step
// evaluates f at each stage and then the VJP at each, forward sensitivities
// take f and one JVP per column at every stage, and the solver checks the
// state after each accepted step where the last stage evaluated f — and each
// of those calls needed the O(N²·d) distances, a square root and a division
// per pair. A Cached computes them once per state; CheckState reads the
// closest pair from the distances f found instead of recomputing every pair.
//
// Its results are bit-identical to Gravity's: a call reuses the distances
// only when the positions equal, float for float, those they were computed
// at (velocities and θ do not enter the distances).
//
// A Cached holds a workspace, so it is not safe for concurrent use: give each
// goroutine its own Clone (dynamics.Clone does, and the identify objective
// calls it). Get one with Gravity.Cached.
type Cached struct {
	Gravity
	slots [cacheSlots]pairSlot
	last  int // the slot written last
}

var (
	_ dynamics.Dynamics     = (*Cached)(nil)
	_ dynamics.Named        = (*Cached)(nil)
	_ dynamics.StateChecker = (*Cached)(nil)
	_ dynamics.Cloner       = (*Cached)(nil)
)

// pairSlot is the pair distances at one position set: for pair p in the
// order (0,1), (0,2), …, (1,2), …, s2[p] = |r_j − r_i|² and inv3[p] =
// 1/(s2·√s2); closest is the first pair with the smallest s2 (-1 when none
// is finite), as closestPair finds it.
type pairSlot struct {
	ptr     *float64 // the first element of the slice r was read from
	r       []float64
	s2      []float64
	inv3    []float64
	closest int
	valid   bool
}

// Cached returns g with a distance cache; see Cached.
func (g Gravity) Cached() *Cached { return &Cached{Gravity: g} }

// Clone returns an independent Cached with an empty cache.
func (c *Cached) Clone() dynamics.Dynamics { return c.Gravity.Cached() }

// lookup returns the slot for the positions r, computing it on a miss.
//
// The slot written last is tried first, by content: forward sensitivities
// call JVP at the state of the f before, and the solver checks the state its
// last stage evaluated. Otherwise the slot filled from the same slice is
// tried (ACA's backward step calls the VJP at the stage buffer its f was
// evaluated at); when its content differs the buffer has moved on, and that
// slot is the one reused, so each slice has at most one slot and a miss
// costs one comparison per slot pointer.
func (c *Cached) lookup(r []float64) *pairSlot {
	i, hit := c.find(r)
	if hit {
		return &c.slots[i]
	}
	sl := c.claim(i, r)
	c.fill(sl, r)
	return sl
}

// find returns the index of the slot for r and true, or on a miss the index
// of the stale slot of r's slice (-1 when it has none) and false.
func (c *Cached) find(r []float64) (int, bool) {
	if sl := &c.slots[c.last]; sl.valid && equal(sl.r, r) {
		return c.last, true
	}
	ptr := &r[0]
	for i := range c.slots {
		if sl := &c.slots[i]; sl.ptr == ptr {
			return i, sl.valid && equal(sl.r, r)
		}
	}
	return -1, false
}

// claim takes slot stale (or, when -1, the oldest) for r and copies r into
// it; the caller fills its distances.
func (c *Cached) claim(stale int, r []float64) *pairSlot {
	if stale >= 0 {
		c.last = stale
	} else if c.last++; c.last == cacheSlots {
		c.last = 0
	}
	sl := &c.slots[c.last]
	np := c.Bodies * (c.Bodies - 1) / 2
	if len(sl.s2) != np || len(sl.r) != len(r) {
		sl.r, sl.s2, sl.inv3 = make([]float64, len(r)), make([]float64, np), make([]float64, np)
	}
	copy(sl.r, r)
	sl.ptr, sl.valid = &r[0], true
	return sl
}

// fill computes the distances of sl.r into sl, with Gravity's arithmetic.
func (c *Cached) fill(sl *pairSlot, r []float64) {
	n, d := c.Bodies, c.Dims
	p, best := 0, math.Inf(1)
	sl.closest = -1
	for i := 0; i < n; i++ {
		ri := r[i*d : i*d+d]
		for j := i + 1; j < n; j++ {
			rj := r[j*d : j*d+d]
			s2 := dist2(ri, rj)
			sl.s2[p], sl.inv3[p] = s2, 1/(s2*math.Sqrt(s2))
			if s2 < best {
				best, sl.closest = s2, p
			}
			p++
		}
	}
}

// equal reports whether a and b hold the same floats (a NaN never matches).
func equal(a, b []float64) bool {
	for i, x := range a {
		if b[i] != x {
			return false
		}
	}
	return true
}

// Func is Gravity.Func, reusing the distances at z's positions.
func (c *Cached) Func(dst []float64, _ float64, z, theta []float64) {
	g := c.Gravity
	g.checkFunc(dst, z, theta)
	n, d := g.Bodies, g.Dims
	nd := n * d
	k1, k2 := g.k1(), g.k2()
	r, v := z[:nd], z[nd:]
	dr, dv := dst[:nd], dst[nd:]
	for i, vi := range v {
		dr[i] = k2 * vi
	}
	clear(dv)
	// On a miss the distances are computed here, in the one pass over the
	// pairs, and kept for the calls that follow.
	slot, hit := c.find(r)
	var sl *pairSlot
	if hit {
		sl = &c.slots[slot]
	} else {
		sl = c.claim(slot, r)
		sl.closest = -1
	}
	p, best := 0, math.Inf(1)
	for i := 0; i < n; i++ {
		ri, ai := r[i*d:i*d+d], dv[i*d:i*d+d]
		for j := i + 1; j < n; j++ {
			rj, aj := r[j*d:j*d+d], dv[j*d:j*d+d]
			var inv3 float64
			if hit {
				inv3 = sl.inv3[p]
			} else {
				s2 := dist2(ri, rj)
				inv3 = 1 / (s2 * math.Sqrt(s2))
				sl.s2[p], sl.inv3[p] = s2, inv3
				if s2 < best {
					best, sl.closest = s2, p
				}
			}
			p++
			pairFunc(ai, aj, ri, rj, k1*theta[j]*inv3, k1*theta[i]*inv3)
		}
	}
}

// JVP is Gravity.JVP, reusing the distances at z's positions.
func (c *Cached) JVP(dst []float64, _ float64, z, theta, vz, vtheta []float64) {
	g := c.Gravity
	g.checkJVP(dst, z, theta, vz, vtheta)
	n, d := g.Bodies, g.Dims
	nd := n * d
	k1, k2 := g.k1(), g.k2()
	r, vr, vv := z[:nd], vz[:nd], vz[nd:]
	dr, dv := dst[:nd], dst[nd:]
	for i, x := range vv {
		dr[i] = k2 * x
	}
	clear(dv)
	sl := c.lookup(r)
	p := 0
	for i := 0; i < n; i++ {
		ri, wi, ai := r[i*d:i*d+d], vr[i*d:i*d+d], dv[i*d:i*d+d]
		for j := i + 1; j < n; j++ {
			rj, wj, aj := r[j*d:j*d+d], vr[j*d:j*d+d], dv[j*d:j*d+d]
			s2, inv3 := sl.s2[p], sl.inv3[p]
			p++
			dot := 0.0
			for k, x := range ri {
				dot += (rj[k] - x) * (wj[k] - wi[k])
			}
			cc := 3 * dot / s2
			mi, mj := k1*theta[i], k1*theta[j]
			var ti, tj float64
			if vtheta != nil {
				ti, tj = k1*vtheta[j], k1*vtheta[i]
			}
			pairJVP(ai, aj, ri, rj, wi, wj, cc, inv3, mi, mj, ti, tj)
		}
	}
}

// VJP is Gravity.VJP, reusing the distances at z's positions.
func (c *Cached) VJP(dz, dtheta []float64, _ float64, z, theta, u []float64) {
	g := c.Gravity
	g.checkVJP(dz, dtheta, z, theta, u)
	n, d := g.Bodies, g.Dims
	nd := n * d
	k1, k2 := g.k1(), g.k2()
	r, ur, uv := z[:nd], u[:nd], u[nd:]
	dr, dv := dz[:nd], dz[nd:]
	for i, x := range ur {
		dv[i] += k2 * x
	}
	sl := c.lookup(r)
	p := 0
	for i := 0; i < n; i++ {
		ri, ui, gi := r[i*d:i*d+d], uv[i*d:i*d+d], dr[i*d:i*d+d]
		for j := i + 1; j < n; j++ {
			rj, uj, gj := r[j*d:j*d+d], uv[j*d:j*d+d], dr[j*d:j*d+d]
			s2, inv3 := sl.s2[p], sl.inv3[p]
			p++
			uiD, ujD := 0.0, 0.0
			for k, x := range ri {
				e := rj[k] - x
				uiD += ui[k] * e
				ujD += uj[k] * e
			}
			mi, mj := k1*theta[i], k1*theta[j]
			cD := 3 * (mj*uiD - mi*ujD) / s2
			pairVJP(gi, gj, ri, rj, ui, uj, cD, inv3, mi, mj)
			if dtheta != nil {
				dtheta[j] += k1 * uiD * inv3
				dtheta[i] -= k1 * ujD * inv3
			}
		}
	}
}

// CheckState is Gravity.CheckState, reading the closest pair from the
// distances f computed at these positions (the solver checks the state after
// each accepted step, where the step's last stage evaluated f).
func (c *Cached) CheckState(t float64, z, _ []float64) error {
	checkLen("CheckState", "z", len(z), c.Dim())
	sl := c.lookup(c.Positions(z))
	minSep := c.minSeparation()
	if p := sl.closest; p >= 0 && sl.s2[p] < minSep*minSep {
		i, j := pairIndex(c.Bodies, p)
		return fmt.Errorf("%w: bodies %d and %d are %.3g apart at t=%.6g (minimum separation %.3g)",
			ErrCloseEncounter, i+1, j+1, math.Sqrt(sl.s2[p]), t, minSep)
	}
	return nil
}

// pairIndex is the pair (i, j), i < j, numbered p in the order (0,1), (0,2),
// …, (0,n−1), (1,2), ….
func pairIndex(n, p int) (i, j int) {
	for i = 0; ; i++ {
		if row := n - 1 - i; p < row {
			return i, i + 1 + p
		} else {
			p -= row
		}
	}
}
