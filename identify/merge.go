package identify

import (
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/physid/physid/aca"
)

// MergeFits combines the records of the shards of one fit, each the Result
// of Fit with Options.Only selecting its starts, into the Result of the
// whole fit: every start once (an error names a start missing or given
// twice), the same best start, totals and covariance as one Fit of all the
// starts with the same problem and options. Seconds is the longest shard's.
func MergeFits(p *Problem, opts *Options, parts ...*Result) (*Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	o := opts.resolved(&LM{}) // only the covariance kind is read
	if o.Covariance != Classic && o.Covariance != Sandwich {
		return nil, fmt.Errorf("identify: unknown covariance %q (allowed: classic, sandwich)", o.Covariance)
	}
	res := &Result{}
	for _, part := range parts {
		res.Starts = append(res.Starts, part.Starts...)
		res.Seconds = math.Max(res.Seconds, part.Seconds)
		res.addStats(aca.Stats{HasReconstruction: part.HasReconstruction, ReconstructionError: part.ReconstructionError})
	}
	sort.SliceStable(res.Starts, func(a, b int) bool { return res.Starts[a].Start < res.Starts[b].Start })
	for i, s := range res.Starts {
		if s.Start != i {
			if s.Start < i {
				return nil, fmt.Errorf("identify: merge: start %d is given twice", s.Start)
			}
			return nil, fmt.Errorf("identify: merge: start %d is missing", i)
		}
	}
	if len(res.Starts) == 0 {
		return nil, errors.New("identify: merge: no starts")
	}
	var errs []error
	for _, s := range res.Starts {
		if s.Params == nil && s.Message != "" {
			errs = append(errs, fmt.Errorf("start %d: %s", s.Start, s.Message))
		}
	}
	return res, finish(p, &o, res, nil, errs)
}

// addStats keeps the largest adjoint reconstruction error.
func (res *Result) addStats(w aca.Stats) {
	if w.HasReconstruction && (!res.HasReconstruction || w.ReconstructionError > res.ReconstructionError) {
		res.ReconstructionError, res.HasReconstruction = w.ReconstructionError, true
	}
}

// total sums the work of the starts and notes an interrupted one.
func (res *Result) total() {
	res.Epochs, res.NFE, res.Interrupted = 0, 0, false
	for i := range res.Starts {
		s := &res.Starts[i]
		res.Epochs += s.Epochs
		res.NFE += s.NFE
		if s.Status == "interrupted" {
			res.Interrupted = true
		}
	}
}

// finish chooses the best start (the lowest loss, the lowest number among
// equals) and estimates its covariance: the part of Fit that MergeFits
// repeats over the starts of all the shards.
func finish(p *Problem, o *Options, res *Result, internal error, errs []error) (err error) {
	res.total()
	res.Best = -1
	for i := range res.Starts {
		s := &res.Starts[i]
		if s.Params != nil && !math.IsNaN(s.Loss) && (res.Best < 0 || s.Loss < res.Starts[res.Best].Loss) {
			res.Best = i
		}
	}
	if res.Best < 0 {
		if internal != nil {
			return internal
		}
		return fmt.Errorf("identify: no start reached a finite loss: %w", errors.Join(errs...))
	}
	b := res.Starts[res.Best]
	res.Params, res.Loss, res.Status = b.Params, b.Loss, b.Status
	defer func() {
		if r := recover(); r != nil { // in the covariance: keep the fit
			err = errors.Join(internal, fmt.Errorf("%w in the covariance: %v\n%s", ErrInternal, r, debug.Stack()))
		}
	}()
	cov, err := EstimateCovariance(p, res.Params, o.Covariance, b.AtBound)
	if err != nil {
		// No numbers, but a reason for each.
		res.StdErrNote = make([]string, len(p.Params))
		for i, q := range p.Params {
			res.StdErrNote[i] = strings.TrimPrefix(err.Error(), "identify: ")
			if q.Fixed {
				res.StdErrNote[i] = "fixed"
			}
		}
	} else {
		res.Covariance, res.StdErr, res.StdErrNote = cov, cov.StdErr, cov.Notes
		if b.Status != "converged" {
			for i, n := range res.StdErrNote {
				if n == "" && !math.IsNaN(res.StdErr[i]) {
					res.StdErrNote[i] = fmt.Sprintf("fit not converged (%s): indicative only", b.Status)
				}
			}
		}
	}
	return internal
}

// MergeProfiles combines the shards of one profile, each the result of
// Profile with ProfileSettings.Only selecting its sides, into the result of
// the whole profile: each side from the shard that walked it (an error
// names a side that none or two walked, or shards that disagree on the
// optimum or the parameters), the optimum from the first.
func MergeProfiles(parts ...*ProfileResult) (*ProfileResult, error) {
	if len(parts) == 0 || parts[0] == nil || parts[0].Optimum == nil {
		return nil, errors.New("identify: merge: no profile")
	}
	ref := parts[0]
	out := *ref
	out.Profiles = slices.Clone(ref.Profiles)
	for k := range out.Profiles {
		pp := &out.Profiles[k]
		for d, name := range [2]string{"lower", "upper"} {
			var got *ProfileSide
			for _, part := range parts {
				if len(part.Profiles) != len(ref.Profiles) || part.Profiles[k].Index != pp.Index || part.Optimum == nil ||
					part.Optimum.Loss != ref.Optimum.Loss || part.Profiles[k].Value != pp.Value {
					return nil, fmt.Errorf("identify: merge: the shards profile different parameters or found different optima (%s)", pp.Name)
				}
				s := part.Profiles[k].side(d)
				if s.Stop == StopSkipped {
					continue
				}
				if got != nil {
					return nil, fmt.Errorf("identify: merge: the %s side of %s is walked by two shards", name, pp.Name)
				}
				got = s
			}
			if got == nil {
				return nil, fmt.Errorf("identify: merge: no shard walked the %s side of %s", name, pp.Name)
			}
			*pp.side(d) = *got
		}
	}
	out.assemble()
	return &out, nil
}

// side is the lower (d = 0) or the upper (d = 1) side of pp.
func (pp *ParamProfile) side(d int) *ProfileSide {
	if d == 0 {
		return &pp.Lower
	}
	return &pp.Upper
}
