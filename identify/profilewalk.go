package identify

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// The walk of one side of one profile: the adaptive grid, the refinement of
// the crossing and the fit at each point (see Profile for the rules).

// profiler holds what every side of every profile shares; it is read-only.
type profiler struct {
	p        *Problem
	opt      Optimizer
	opts     *Options
	lhat     float64
	n        int
	delta    float64
	points   int
	progress func(ProfileProgress)
}

type sideResult struct {
	side   ProfileSide
	points []ProfilePoint
}

// stat is (n/2)·log(L/L̂) (least squares) or L − L̂ (a likelihood), 0 at
// the optimum.
func (w *profiler) stat(loss float64) float64 {
	if loss == w.lhat {
		return 0
	}
	if w.p.Likelihood() && !w.p.UnknownScale {
		return loss - w.lhat // the NLL difference: half the likelihood-ratio statistic
	}
	return float64(w.n) / 2 * math.Log(loss/w.lhat)
}

// side walks from the optimum θ̂ in direction dir of parameter i.
func (w *profiler) side(ctx context.Context, i, dir int, thetaHat []float64, se float64) sideResult {
	lo, hi := w.p.Params[i].bounds()
	h0 := 0.1
	switch v := thetaHat[i]; {
	case !math.IsNaN(se):
		h0 = se / 4
	case v != 0:
		h0 = 0.05 * math.Abs(v)
	}
	hmax, hmin := 16*h0, h0/64
	var out sideResult
	prev := ProfilePoint{Value: thetaHat[i], Params: thetaHat}
	h, used := h0, 0
	fit := func(v float64, warm []float64) (ProfilePoint, error) {
		used++
		pt, err := w.fitAt(ctx, i, v, warm)
		if w.progress != nil {
			w.progress(ProfileProgress{Param: i, Side: dir, Point: used, Value: v, Loss: pt.Loss, Stat: pt.Stat})
		}
		return pt, err
	}
	for {
		if used >= w.points {
			out.side = ProfileSide{Stop: StopPoints, Message: fmt.Sprintf("%d fits below the threshold, up to %.6g", w.points, prev.Value)}
			return out
		}
		if ctx.Err() != nil {
			out.side = ProfileSide{Stop: StopInterrupted, Message: fmt.Sprintf("stopped at %.6g", prev.Value)}
			return out
		}
		if (dir < 0 && prev.Value <= lo) || (dir > 0 && prev.Value >= hi) {
			out.side = ProfileSide{Stop: StopBound, Message: fmt.Sprintf("the optimum %g is on the bound", prev.Value)}
			return out
		}
		v := prev.Value + float64(dir)*h
		atBound := false
		if dir < 0 && v <= lo {
			v, atBound = lo, true
		} else if dir > 0 && v >= hi {
			v, atBound = hi, true
		}
		if v == prev.Value { // the step vanished against θ's resolution
			out.side = ProfileSide{Stop: StopFailed, Message: fmt.Sprintf("the step vanished at %.6g", v)}
			return out
		}
		pt, err := fit(v, prev.Params)
		if err != nil {
			if h/2 < hmin || ctx.Err() != nil {
				stop := StopFailed
				if ctx.Err() != nil {
					stop = StopInterrupted
				}
				out.side = ProfileSide{Stop: stop, Message: fmt.Sprintf("at %.6g: %v", v, err)}
				return out
			}
			h /= 2
			continue
		}
		out.points = append(out.points, pt)
		if pt.Stat >= w.delta {
			out.side = w.refine(prev, pt, &used, fit, &out.points)
			return out
		}
		if atBound {
			out.side = ProfileSide{Stop: StopBound, Message: fmt.Sprintf("reached the bound %g below the threshold (statistic %.4g < %.4g)", v, pt.Stat, w.delta)}
			return out
		}
		switch rise := pt.Stat - prev.Stat; {
		case rise < w.delta/10:
			h = min(2*h, hmax)
		case rise > w.delta/2:
			h = max(h/2, hmin)
		}
		prev = pt
	}
}

// refine narrows the bracket [in, out] around the crossing (in below the
// threshold, out above) with up to three fits at the interpolated crossing,
// then interpolates the limit; the refining points are appended to points.
func (w *profiler) refine(in, out ProfilePoint, used *int, fit func(float64, []float64) (ProfilePoint, error), points *[]ProfilePoint) ProfileSide {
	for try := 0; try < 3 && *used < w.points; try++ {
		if math.Abs(w.rootGap(in)) <= 0.01 || math.Abs(w.rootGap(out)) <= 0.01 {
			break
		}
		pt, err := fit(w.crossing(in, out), in.Params)
		if err != nil {
			break
		}
		*points = append(*points, pt)
		if pt.Stat >= w.delta {
			out = pt
		} else {
			in = pt
		}
	}
	return ProfileSide{Limit: w.crossing(in, out), Stop: StopCrossed,
		Message: fmt.Sprintf("crossed between %.6g (statistic %.4g) and %.6g (%.4g)", in.Value, in.Stat, out.Value, out.Stat)}
}

// rootGap is √Stat − √Δ relative to √Δ.
func (w *profiler) rootGap(pt ProfilePoint) float64 {
	return (math.Sqrt(max(pt.Stat, 0)) - math.Sqrt(w.delta)) / math.Sqrt(w.delta)
}

// crossing interpolates linearly in √Stat between in (below Δ) and out.
func (w *profiler) crossing(in, out ProfilePoint) float64 {
	a, b, c := math.Sqrt(max(in.Stat, 0)), math.Sqrt(out.Stat), math.Sqrt(w.delta)
	if math.IsInf(b, 1) || !(b > a) {
		return in.Value
	}
	return in.Value + (out.Value-in.Value)*(c-a)/(b-a)
}

// fitAt minimises the loss over the free parameters other than i with θ_i = v,
// starting from warm.
func (w *profiler) fitAt(ctx context.Context, i int, v float64, warm []float64) (ProfilePoint, error) {
	q := *w.p
	q.Params = slices.Clone(w.p.Params)
	q.Params[i].Fixed, q.Params[i].Init = true, v
	others := false
	for j := range q.Params {
		if j != i && !q.Params[j].Fixed {
			q.Params[j].Init = inside(q.Params[j], warm[j])
			others = true
		}
	}
	pt := ProfilePoint{Value: v, Loss: math.NaN(), Stat: math.NaN()}
	if !others { // nothing left to fit: the profile is the loss itself
		ob, err := newObjective(&q)
		if err != nil {
			return pt, err
		}
		loss, err := ob.eval(nil, nil)
		if err != nil {
			return pt, err
		}
		pt.Params = slices.Clone(ob.theta)
		return w.finish(pt, loss)
	}
	res, err := Fit(ctx, &q, w.opts, w.opt)
	if err != nil {
		return pt, err
	}
	if b := res.Starts[res.Best]; b.Status == "diverged" {
		return pt, fmt.Errorf("%w: %s", ErrDiverged, b.Message)
	}
	pt.Params = res.Params
	return w.finish(pt, res.Loss)
}

func (w *profiler) finish(pt ProfilePoint, loss float64) (ProfilePoint, error) {
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return pt, fmt.Errorf("%w: the loss is %v", ErrDiverged, loss)
	}
	pt.Loss, pt.Stat = loss, w.stat(loss)
	return pt, nil
}

// inside moves θ strictly inside q's bounds, where a fit may start: a warm
// start from a transform that saturated may sit on a bound.
func inside(q Parameter, theta float64) float64 {
	lo, hi := q.bounds()
	if theta > lo && theta < hi {
		return theta
	}
	eps := 1e-9
	if !math.IsInf(lo, 0) && !math.IsInf(hi, 0) {
		eps *= hi - lo
	} else {
		eps *= max(1, math.Abs(theta))
	}
	if theta <= lo {
		return lo + eps
	}
	return hi - eps
}
