package identify

import "math"

// Adam and L-BFGS work on unconstrained coordinates u; a bounded parameter is
// θ = lo + (hi − lo)·σ(u) (both bounds), lo + softplus(u) (lower only),
// hi − softplus(u) (upper only) or u (none). The transform is smooth, so
// gradients pass through it (dθ/du) and no step is ever clipped.

func toTheta(q Parameter, u float64) float64 {
	lo, hi := q.bounds()
	switch {
	case !math.IsInf(lo, 0) && !math.IsInf(hi, 0):
		return lo + (hi-lo)*sigmoid(u)
	case !math.IsInf(lo, 0):
		return lo + softplus(u)
	case !math.IsInf(hi, 0):
		return hi - softplus(u)
	}
	return u
}

// dThetaDU is dθ/du at u.
func dThetaDU(q Parameter, u float64) float64 {
	lo, hi := q.bounds()
	switch {
	case !math.IsInf(lo, 0) && !math.IsInf(hi, 0):
		s := sigmoid(u)
		return (hi - lo) * s * (1 - s)
	case !math.IsInf(lo, 0):
		return sigmoid(u)
	case !math.IsInf(hi, 0):
		return -sigmoid(u)
	}
	return 1
}

// toU inverts toTheta for θ strictly inside the bounds.
func toU(q Parameter, theta float64) float64 {
	lo, hi := q.bounds()
	switch {
	case !math.IsInf(lo, 0) && !math.IsInf(hi, 0):
		s := (theta - lo) / (hi - lo)
		return math.Log(s / (1 - s))
	case !math.IsInf(lo, 0):
		return softplusInv(theta - lo)
	case !math.IsInf(hi, 0):
		return softplusInv(hi - theta)
	}
	return theta
}

func sigmoid(u float64) float64 {
	if u >= 0 {
		return 1 / (1 + math.Exp(-u))
	}
	e := math.Exp(u)
	return e / (1 + e)
}

func softplus(u float64) float64 {
	if u > 30 {
		return u
	}
	return math.Log1p(math.Exp(u))
}

func softplusInv(y float64) float64 {
	if y > 30 {
		return y
	}
	return math.Log(math.Expm1(y))
}
