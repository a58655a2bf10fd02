package aca

import (
	"slices"

	"github.com/physid/physid/integrate"
)

// stageCache keeps, within ACA.StageBudget bytes, the forward pass's stage
// derivatives of explicit steps, so that the backward step over them need
// not evaluate f again. Only the stages the backward step would recompute
// are kept (those that feed a later stage that matters: Dopri5's K_1..K_5,
// not its FSAL K_7 or K_6), and only for steps whose K_0 is f(t_i, z_i) bit
// for bit: the cached stages are then exactly the ones the backward step
// would compute, and the gradient is the same to the last bit. Steps are
// cached first come, first served, until the budget is spent.
type stageCache struct {
	off   []int     // per step: offset into k of its cached stages, or −1
	k     []float64 // the cached stages, feeding stages only, in stage order
	full  bool      // the budget is spent
	tb    *integrate.Tableau
	feeds []int // the stages of tb the backward step evaluates
}

func (c *stageCache) reset() { c.off, c.k, c.full = c.off[:0], c.k[:0], false }

// add caches the stages of explicit step i when the budget allows.
func (c *stageCache) add(r *acaRecorder, i int, a *integrate.Attempt) {
	if r.budget <= 0 || c.full {
		return
	}
	for len(c.off) < i {
		c.off = append(c.off, -1)
	}
	if c.tb != r.cur {
		c.tb = r.cur
		c.feeds = c.feeds[:0]
		_, feeds, _ := stagePlan(r.cur, false)
		for s, f := range feeds {
			if f {
				c.feeds = append(c.feeds, s)
			}
		}
	}
	n := len(a.Z)
	if 8*(len(c.k)+len(c.feeds)*n) > r.budget {
		c.full = true
		return
	}
	c.off = append(c.off, len(c.k))
	for _, s := range c.feeds {
		c.k = append(c.k, a.K[s]...)
	}
}

// stages returns the cached stages of step i (len(feeds)·n values), or nil.
func (c *stageCache) stages(i int, tb *integrate.Tableau) []float64 {
	if i >= len(c.off) || c.off[i] < 0 || c.tb != tb {
		return nil
	}
	return c.k[c.off[i]:]
}

// bytes is the memory of the cache.
func (c *stageCache) bytes() int { return 8 * (len(c.k) + len(c.off)) }

// stagePlan is which stages of an explicit step its backward step uses:
// needed[s] when K_s matters for the result, by a nonzero weight in B (or,
// with dense, in the continuous extension) or as input of a later needed
// stage (Dopri5's seventh, FSAL, stage only feeds the error estimate);
// feeds[s] when K_s enters the input of a later needed stage, the stages
// the backward step evaluates; last is the highest needed stage.
func stagePlan(tb *integrate.Tableau, dense bool) (needed, feeds []bool, last int) {
	s := tb.Stages()
	needed, feeds = make([]bool, s), make([]bool, s)
	for i := s - 1; i >= 0; i-- {
		needed[i] = tb.B[i] != 0 || dense && slices.ContainsFunc(tb.Dense[i], func(c float64) bool { return c != 0 })
		for j := i + 1; j < s; j++ {
			if needed[j] && tb.A[j][i] != 0 {
				needed[i], feeds[i] = true, true
			}
		}
	}
	for i, nd := range needed {
		if nd {
			last = i
		}
	}
	return needed, feeds, last
}
