package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/scenarios"
)

// gradJSON is the --json output of grad; the field names are a stable contract.
type gradJSON struct {
	Method               string             `json:"method"`
	Loss                 float64            `json:"loss"`
	Gradient             map[string]float64 `json:"gradient"`
	InitialStateGradient []float64          `json:"initial_state_gradient"`
	NFEForward           int                `json:"nfe_forward"`
	NFEBackward          int                `json:"nfe_backward"`
	StepsAccepted        int                `json:"steps_accepted"`
	StepsRejected        int                `json:"steps_rejected"`
	Bytes                int                `json:"bytes"`
	Seconds              float64            `json:"seconds"`
	// ReconstructionError is the adjoint's ‖z̃(t0) − z0‖ in tolerance units
	// (aca.Stats.ReconstructionError); present only for --method adjoint.
	ReconstructionError *float64 `json:"reconstruction_error,omitempty"`
	// Check is the comparison with finite differences; present only with
	// --check.
	Check *checkJSON `json:"check,omitempty"`
}

func gradCommand() command {
	return command{
		name: "grad",
		args: "SCENARIO [--method aca|adjoint|naive|forward] [--check] [--json]",
		summary: `Evaluate the scenario's loss and its gradient with respect to every parameter
(fixed ones included) and to the initial state, at the parameters' init values.

The adjoint method also reports its reconstruction error: how far its backward
solve lands from the known z0, in tolerance units; above 1000 a warning on
stderr says its gradient is unreliable. --check compares the method, and the
three others, with central finite differences of the loss (solves at rtol =
atol = 1e-12, step 1e-4·max(1,|x|)) and warns when the chosen method differs
by more than 1e-3 (relative); the exit status stays 0.`,
		flags: func(fset *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			method := fset.String("method", "", "gradient method: aca, adjoint, naive or forward (default: the scenario's [gradient] method)")
			asJSON := fset.Bool("json", false, "print one JSON object instead of a table")
			check := fset.Bool("check", false, "compare with central finite differences and the other methods")
			return func(pos []string, stdout, stderr io.Writer) error {
				if err := oneScenario("grad", pos, "usage: identify grad SCENARIO [--method M] [--json]"); err != nil {
					return err
				}
				return grad(pos[0], *method, *asJSON, *check, stdout, stderr)
			}
		},
	}
}

func grad(file, method string, asJSON, check bool, stdout, stderr io.Writer) error {
	sc, err := scenarios.Load(file)
	if err != nil {
		return err
	}
	if method == "" {
		method = sc.Gradient
	}
	m, err := aca.ByName(method)
	if err != nil {
		return usagef("--method: unknown method %q (allowed: %s)", method, strings.Join(methodNames(), ", "))
	}
	m = aca.NeedZ0(m) // grad prints dL/dz0
	if sc.Likelihood() {
		return gradLikelihood(sc, m, asJSON, check, stdout, stderr)
	}
	p, err := sc.Problem()
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := aca.Gradient(p, sc.Settings(), m)
	secs := time.Since(start).Seconds()
	if err != nil {
		return runtimeError{fmt.Errorf("%s: %s gradient: %w", file, m.Name(), err)}
	}
	var chk *checkJSON
	if check {
		if chk, err = gradCheck(sc, p, m, res); err != nil {
			return err
		}
	}
	warn := func() {
		for _, w := range []string{adjointWarning(res.Stats), checkWarning(chk)} {
			if w != "" {
				fmt.Fprintln(stderr, w)
			}
		}
	}
	if asJSON {
		defer warn()
		out := gradJSON{
			Method:               m.Name(),
			Loss:                 res.Loss,
			Gradient:             map[string]float64{},
			InitialStateGradient: res.Z0,
			NFEForward:           res.Stats.NFEForward,
			NFEBackward:          res.Stats.NFEBackward,
			StepsAccepted:        res.Stats.Accepted,
			StepsRejected:        res.Stats.Rejected,
			Bytes:                res.Stats.Bytes,
			Seconds:              secs,
			Check:                chk,
		}
		if res.Stats.HasReconstruction {
			out.ReconstructionError = &res.Stats.ReconstructionError
		}
		for i, name := range sc.ParamNames {
			out.Gradient[name] = res.Theta[i]
		}
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return runtimeError{err}
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	defer warn()
	if err := printGrad(stdout, sc, m.Name(), res, secs); err != nil {
		return err
	}
	if chk != nil {
		printCheck(stdout, chk)
	}
	return nil
}

func methodNames() []string {
	var names []string
	for _, m := range aca.Methods() {
		names = append(names, m.Name())
	}
	return names
}

// printGrad writes the readable table.
func printGrad(w io.Writer, sc *scenarios.Scenario, method string, res *aca.Result, secs float64) error {
	s := sc.Settings()
	tb := s.Method
	if tb == nil {
		tb = integrate.Dopri5
	}
	rtol, atol := integrate.NewSolver(s).Tolerances()
	fmt.Fprintf(w, "%s (%s)\n", sc.Name, sc.File)
	fmt.Fprintf(w, "gradient by %s at the init values; solver %s", method, tb.Name)
	if tb.Adaptive() {
		fmt.Fprintf(w, ", rtol %g, atol %g", rtol, atol)
	}
	fmt.Fprintf(w, "; %d observation times\n\n", len(sc.Times))
	fmt.Fprintf(w, "loss  %.10g\n\n", res.Loss)

	width := len("parameter")
	for _, n := range append(append([]string(nil), sc.ParamNames...), sc.StateNames...) {
		width = max(width, len(n))
	}
	fmt.Fprintf(w, "%-*s  %12s  %12s  %20s\n", width, "parameter", "init", "true value", "dL/dθ")
	for i, p := range sc.Params {
		value, note := "-", ""
		if p.HasValue {
			value = fmt.Sprintf("%.6g", p.Value)
		}
		if p.Fixed {
			note = "  (fixed)"
		}
		fmt.Fprintf(w, "%-*s  %12.6g  %12s  %20.10g%s\n", width, p.Name, p.Init, value, res.Theta[i], note)
	}
	fmt.Fprintf(w, "\n%-*s  %12s  %12s  %20s\n", width, "state", "z0", "", "dL/dz0")
	for i, name := range sc.StateNames {
		fmt.Fprintf(w, "%-*s  %12.6g  %12s  %20.10g\n", width, name, sc.Z0[i], "", res.Z0[i])
	}
	st := res.Stats
	_, err := fmt.Fprintf(w, "\nwork: %d function evaluations forward + %d backward; %d steps accepted, %d rejected; %d bytes held; %v\n",
		st.NFEForward, st.NFEBackward, st.Accepted, st.Rejected, st.Bytes, time.Duration(secs*1e9).Round(time.Microsecond))
	if err == nil && st.HasReconstruction {
		_, err = fmt.Fprintf(w, "reconstruction error: %.4g tolerance units (the backward solve's z(t0) against z0; above %g the gradient is unreliable)\n",
			st.ReconstructionError, float64(reconstructionThreshold))
	}
	return err
}
