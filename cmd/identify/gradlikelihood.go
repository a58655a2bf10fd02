package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/identify"
	"github.com/physid/physid/scenarios"
)

// gradLikelihood is grad for a likelihood scenario: the negative
// log-likelihood over the fitted experiments and its gradient with respect
// to every fitted parameter (locals as name@experiment; the gradient of the
// initial states is in that of the parameters they are made of). --check
// compares it with central differences of the likelihood at rtol = atol =
// 1e-12.
func gradLikelihood(sc *scenarios.Scenario, m aca.Method, asJSON, check bool, stdout, stderr io.Writer) error {
	p := sc.FitProblem()
	p.Method = m
	theta := make([]float64, len(p.Params))
	for i, q := range p.Params {
		theta[i] = q.Init
	}
	start := time.Now()
	loss, g, err := identify.Gradient(p, theta)
	secs := time.Since(start).Seconds()
	if err != nil {
		return runtimeError{fmt.Errorf("%s: %s gradient: %w", sc.File, m.Name(), err)}
	}
	names := sc.FitNames()
	var fd []float64
	worst, normDiff := 0.0, 0.0
	if check {
		if fd, worst, normDiff, err = likelihoodFD(sc, m, theta, names); err != nil {
			return err
		}
		if normDiff > 1e-3 {
			fmt.Fprintf(stderr, "identify: warning: the %s gradient differs from finite differences by %.2g normwise\n", m.Name(), normDiff)
		}
	}
	if asJSON {
		out := gradJSON{Method: m.Name(), Loss: loss, Gradient: map[string]float64{}, Seconds: secs}
		for i, n := range names {
			out.Gradient[n] = g[i]
		}
		if check {
			out.Check = &checkJSON{FDStep: 1e-6, FDRTol: 1e-12, FDATol: 1e-12, Threshold: 1e-3, NormDiff: map[string]float64{m.Name(): normDiff}}
		}
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return runtimeError{err}
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	fmt.Fprintf(stdout, "%s (%s)\nnegative log-likelihood by %s at the init values over %d experiments\n\nloss  %.10g\n\n", sc.Name, sc.File, m.Name(), len(sc.Experiments), loss)
	fmt.Fprintf(stdout, "%-24s %14s %20s", "parameter", "init", "dL/dθ")
	if check {
		fmt.Fprintf(stdout, " %20s", "finite differences")
	}
	fmt.Fprintln(stdout)
	for i, n := range names {
		fmt.Fprintf(stdout, "%-24s %14.6g %20.10g", n, theta[i], g[i])
		if check {
			fmt.Fprintf(stdout, " %20.10g", fd[i])
		}
		fmt.Fprintln(stdout)
	}
	if check {
		fmt.Fprintf(stdout, "\ncheck: %.2g normwise relative difference (worst component %.2g) against central differences at rtol = atol = 1e-12\n", normDiff, worst)
	}
	fmt.Fprintf(stdout, "%v\n", time.Duration(secs*1e9).Round(time.Microsecond))
	return nil
}

// likelihoodFD checks the gradient of m at theta against central differences
// of the loss solved at rtol = atol = 1e-12: it returns the differences, the
// worst componentwise and the normwise relative difference.
func likelihoodFD(sc *scenarios.Scenario, m aca.Method, theta []float64, names []string) (fd []float64, worst, normDiff float64, err error) {
	q := sc.FitProblem()
	q.Method = m
	q.Solver.RTol, q.Solver.ATol = 1e-12, 1e-12
	_, exact, err := identify.Gradient(q, theta)
	if err != nil {
		return nil, 0, 0, runtimeError{fmt.Errorf("%s: %w", sc.File, err)}
	}
	fd = make([]float64, len(theta))
	num, den := 0.0, 0.0
	for j := range theta {
		h := 1e-6 * math.Max(1, math.Abs(theta[j]))
		x := append([]float64(nil), theta...)
		x[j] = theta[j] + h
		lp, _, err1 := identify.Gradient(q, x)
		x[j] = theta[j] - h
		lm, _, err2 := identify.Gradient(q, x)
		if err1 != nil || err2 != nil {
			return nil, 0, 0, runtimeError{fmt.Errorf("%s: finite differences of %s: %v %v", sc.File, names[j], err1, err2)}
		}
		fd[j] = (lp - lm) / (2 * h)
		d := math.Abs(exact[j] - fd[j])
		num, den = num+d*d, den+fd[j]*fd[j]
		if fd[j] != 0 {
			worst = math.Max(worst, d/math.Abs(fd[j]))
		}
	}
	normDiff = math.Sqrt(num / math.Max(den, 1e-300))
	return fd, worst, normDiff, nil
}
