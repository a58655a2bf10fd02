package main

import (
	"fmt"
	"io"
	"math"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/scenarios"
)

// grad --check compares gradient methods with central finite differences of
// the loss (aca.FiniteDifferences, relative step aca.FDStep).
const (
	// checkTol is the rtol and atol of the finite-difference solves. The check
	// asks whether the gradient is that of the continuous problem the user
	// wrote down, so the reference must be far more accurate than the solve
	// being checked: with the scenario's own tolerances the accepted step
	// sequence changes between the ±h solves and the differences measure the
	// step-size controller's jumps (noise of order rtol/h) instead of the
	// derivative. At 1e-12 the central difference is good to about 1e-8
	// (see aca.FDStep).
	// Fixed-step solvers ignore tolerances: there the reference is the exact
	// derivative of the same discrete solution.
	checkTol = 1e-12
	// checkMaxSteps is the smallest step budget of the finite-difference solves,
	// which take more steps at the tighter tolerances.
	checkMaxSteps = 1000000
	// checkThreshold is the normwise difference from finite differences (see
	// checkJSON.NormDiff) above which grad --check warns about the chosen
	// method: the gradient no longer has two correct digits. The measure is
	// normwise because a component far smaller than the rest may be off by
	// more, relatively, without turning the gradient: on three_body at rtol
	// 1e-7, ACA's dL/dm1 (a tenth of dL/dm3) is 0.8% off the continuous
	// gradient while the normwise difference is 7e-4 — the discretization
	// error of the sensitivities that the tolerances allow. Measured on the
	// shipped scenarios: ACA, forward and adjoint (where its reconstruction
	// is healthy) stay below 1.4e-3 (three_body_csv), most below 1e-5; the
	// adjoint on van der Pol is at 4.5.
	checkThreshold = 1e-2
	// checkFloor keeps a component whose true value is zero up to noise from
	// showing as a 100% difference: relative differences are taken against
	// max(|fd_i|, checkFloor·max_j |fd_j|), the maximum over the same group
	// (θ or z0).
	checkFloor = 1e-6
)

// checkJSON is the "check" object of grad --json --check.
type checkJSON struct {
	// FDStep is the relative step: coordinate x moves by ±fd_step·max(1,|x|).
	FDStep float64 `json:"fd_step"`
	// FDRTol and FDATol are the tolerances of the finite-difference solves.
	FDRTol float64 `json:"fd_rtol"`
	FDATol float64 `json:"fd_atol"`
	// Threshold is the normwise difference above which the chosen method is
	// reported as disagreeing.
	Threshold float64 `json:"threshold"`
	// Rows hold one entry per method and component, the chosen method first.
	Rows []checkRow `json:"rows"`
	// NormDiff maps each method to its normwise difference from finite
	// differences: max_i |g_i − fd_i| / max_i |fd_i|, over the parameters and
	// over the initial state separately, the larger of the two.
	NormDiff map[string]float64 `json:"norm_diff"`
	// Failed maps a method that failed to its error.
	Failed map[string]string `json:"failed,omitempty"`
	// Agrees is false when the chosen method's norm_diff exceeds threshold.
	Agrees bool `json:"agrees"`
}

// checkRow is one component of one method's gradient against finite differences.
type checkRow struct {
	Method string `json:"method"`
	// Parameter is a parameter's name, or z0[STATE] for a component of dL/dz0.
	Parameter string  `json:"parameter"`
	Value     float64 `json:"value"`
	FD        float64 `json:"fd"`
	RelDiff   float64 `json:"rel_diff"`
}

// gradCheck evaluates every method and the finite differences; chosen is the
// result already computed with m.
func gradCheck(sc *scenarios.Scenario, p *aca.Problem, m aca.Method, chosen *aca.Result) (*checkJSON, error) {
	s := *sc.Settings()
	fs := s
	fs.RTol, fs.ATol = checkTol, checkTol
	fs.MaxSteps = max(fs.MaxSteps, checkMaxSteps)
	ref, err := aca.FiniteDifferences(p, &fs, aca.FDStep)
	if err != nil {
		return nil, runtimeError{fmt.Errorf("%s: --check: %w", sc.File, err)}
	}
	out := &checkJSON{FDStep: aca.FDStep, FDRTol: checkTol, FDATol: checkTol, Threshold: checkThreshold,
		NormDiff: map[string]float64{}, Agrees: true}
	names := append([]string(nil), sc.ParamNames...)
	for _, st := range sc.StateNames {
		names = append(names, "z0["+st+"]")
	}
	fdv := append(append([]float64(nil), ref.Theta...), ref.Z0...)
	nt := len(ref.Theta)
	scaleT, scaleZ := maxAbs(fdv[:nt]), maxAbs(fdv[nt:])
	add := func(name string, res *aca.Result) {
		v := append(append([]float64(nil), res.Theta...), res.Z0...)
		var dt, dz float64 // largest absolute differences in θ and z0
		for i := range v {
			scale := scaleZ
			if i < nt {
				scale, dt = scaleT, math.Max(dt, math.Abs(v[i]-fdv[i]))
			} else {
				dz = math.Max(dz, math.Abs(v[i]-fdv[i]))
			}
			rel := relDiff(v[i], fdv[i], checkFloor*scale)
			out.Rows = append(out.Rows, checkRow{Method: name, Parameter: names[i], Value: v[i], FD: fdv[i], RelDiff: rel})
		}
		nd := math.Max(relDiff(dt, 0, scaleT), relDiff(dz, 0, scaleZ))
		out.NormDiff[name] = nd
		if name == m.Name() && !(nd <= checkThreshold) {
			out.Agrees = false
		}
	}
	add(m.Name(), chosen)
	for _, other := range aca.Methods() {
		if other.Name() == m.Name() {
			continue
		}
		res, err := aca.Gradient(p, &s, aca.NeedZ0(other))
		if err != nil {
			if out.Failed == nil {
				out.Failed = map[string]string{}
			}
			out.Failed[other.Name()] = err.Error()
			continue
		}
		add(other.Name(), res)
	}
	return out, nil
}

// relDiff is |v − ref| / max(|ref|, floor): 0 when they are equal, and the
// absolute difference when ref and floor are both 0 (every finite difference
// of the group vanished).
func relDiff(v, ref, floor float64) float64 {
	d := math.Abs(v - ref)
	den := math.Max(math.Abs(ref), floor)
	if d == 0 || den == 0 {
		return d
	}
	return d / den
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// printCheck writes the check table: one row per component, the
// finite-difference value and each method's relative difference from it.
func printCheck(w io.Writer, c *checkJSON) {
	var methods, params []string
	seenM, seenP := map[string]bool{}, map[string]bool{}
	rel := map[[2]string]float64{}
	fdv := map[string]float64{}
	for _, r := range c.Rows {
		if !seenM[r.Method] {
			seenM[r.Method] = true
			methods = append(methods, r.Method)
		}
		if !seenP[r.Parameter] {
			seenP[r.Parameter] = true
			params = append(params, r.Parameter)
		}
		rel[[2]string{r.Method, r.Parameter}] = r.RelDiff
		fdv[r.Parameter] = r.FD
	}
	width := len("parameter")
	for _, p := range params {
		width = max(width, len(p))
	}
	fmt.Fprintf(w, "\ncheck: relative difference from central finite differences (step %g·max(1,|x|), solves at rtol %g, atol %g)\n",
		c.FDStep, c.FDRTol, c.FDATol)
	fmt.Fprintf(w, "%-*s  %20s", width, "parameter", "finite differences")
	for i, m := range methods {
		if i == 0 {
			m += " (chosen)"
		}
		fmt.Fprintf(w, "  %14s", m)
	}
	fmt.Fprintln(w)
	for _, p := range params {
		fmt.Fprintf(w, "%-*s  %20.10g", width, p, fdv[p])
		for _, m := range methods {
			fmt.Fprintf(w, "  %14.2e", rel[[2]string{m, p}])
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%-*s  %20s", width, "normwise", "")
	for _, m := range methods {
		fmt.Fprintf(w, "  %14.2e", c.NormDiff[m])
	}
	fmt.Fprintln(w)
	for _, m := range sortedKeys(c.Failed) {
		fmt.Fprintf(w, "%s failed: %s\n", m, c.Failed[m])
	}
}

// checkWarning returns the warning for a chosen method that disagrees with
// finite differences, or "" (also for no check at all).
func checkWarning(c *checkJSON) string {
	if c == nil || c.Agrees {
		return ""
	}
	worst, name, method := -1.0, "", c.Rows[0].Method
	for _, r := range c.Rows {
		if r.Method == method && !(r.RelDiff <= worst) {
			worst, name = r.RelDiff, r.Parameter
		}
	}
	return fmt.Sprintf("identify: warning: the %s gradient differs from finite differences by %.2g normwise (threshold %g; worst component %s, %.2g relative)",
		method, c.NormDiff[method], c.Threshold, name, worst)
}

func sortedKeys(m map[string]string) []string {
	var keys []string
	for _, k := range methodNames() {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	return keys
}
