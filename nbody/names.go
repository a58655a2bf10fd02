package nbody

import "strconv"

// Group names accepted by Gravity.Group, for scenario files such as
// observe = ["positions"].
const (
	GroupPositions  = "positions"
	GroupVelocities = "velocities"
)

// StateNames returns the name of every state component, body numbers 1-based.
// For Dims ≤ 3 the components are x, y, z:
//
//	x1, y1, z1, x2, y2, z2, …, vx1, vy1, vz1, vx2, …
//
// (only x1, x2, …, vx1, … for Dims = 1, and x, y for Dims = 2). For Dims ≥ 4 the
// components are numbered instead, body first, then component:
//
//	r1_1, r1_2, …, r1_d, r2_1, …, v1_1, v1_2, …
func (g Gravity) StateNames() []string {
	n, d := g.Bodies, g.Dims
	names := make([]string, 0, g.Dim())
	for _, prefix := range [2]string{"", "v"} {
		for i := 1; i <= n; i++ {
			body := strconv.Itoa(i)
			for k := 1; k <= d; k++ {
				if d <= 3 {
					names = append(names, prefix+"xyz"[k-1:k]+body)
				} else {
					p := prefix
					if p == "" {
						p = "r"
					}
					names = append(names, p+body+"_"+strconv.Itoa(k))
				}
			}
		}
	}
	return names
}

// ParamNames returns m1, m2, …, mN.
func (g Gravity) ParamNames() []string {
	names := make([]string, g.Bodies)
	for i := range names {
		names[i] = "m" + strconv.Itoa(i+1)
	}
	return names
}

// GroupNames returns the names Group accepts, for "allowed: …" messages.
func (Gravity) GroupNames() []string { return []string{GroupPositions, GroupVelocities} }

// Group expands a group name to the state indices it stands for, in state order:
// "positions" is 0 … N·d−1 and "velocities" is N·d … 2·N·d−1. It reports false
// for any other name.
func (g Gravity) Group(name string) ([]int, bool) {
	nd := g.Bodies * g.Dims
	var start int
	switch name {
	case GroupPositions:
		start = 0
	case GroupVelocities:
		start = nd
	default:
		return nil, false
	}
	idx := make([]int, nd)
	for i := range idx {
		idx[i] = start + i
	}
	return idx, true
}
