package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/physid/physid/integrate"
	"github.com/physid/physid/internal/atomicfile"
	"github.com/physid/physid/internal/experiments/reverse"
	"github.com/physid/physid/internal/experiments/toy"
)

func reproduceCommand() command {
	return command{
		name: "reproduce",
		args: "toy|reverse|three-body|latent-ode|images [--conv] [--out DIR]",
		summary: `Reproduce an experiment of the ACA paper (Zhuang et al., ICML 2020):
  toy      Fig. 6: dz/dt = kz, L = z(T)^2; relative error of dL/dz0 and NFE of each
           gradient method for T = 1..10 (writes DIR/toy.png and DIR/toy.json;
           default DIR out/reproduce-toy)
  reverse  Fig. 4: van der Pol solved forward, then backward from the end state as
           the adjoint method does; the reconstruction error (writes DIR/reverse.png
           and DIR/reverse.json; default DIR out/reproduce-reverse)`,
		flags: func(fset *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			out := fset.String("out", "", "output directory (default out/reproduce-EXPERIMENT)")
			conv := fset.Bool("conv", false, "reverse: the convolution ODE on an image (paper Fig. 5)")
			return func(pos []string, stdout, stderr io.Writer) error {
				if len(pos) != 1 {
					return usagef("reproduce needs one experiment (usage: identify reproduce toy|reverse|three-body|latent-ode|images [--out DIR])")
				}
				dir := *out
				if dir == "" {
					dir = filepath.Join("out", "reproduce-"+pos[0])
				}
				switch pos[0] {
				case "toy":
					return reproduceToy(dir, stdout)
				case "reverse":
					if *conv {
						return reproduceReverseConv(dir, stdout)
					}
					return reproduceReverse(dir, stdout)
				case "three-body":
					return reproduceThreeBody(dir, stdout, stderr)
				case "latent-ode":
					return reproduceLatentODE(dir, stdout)
				case "images":
					return reproduceImages(dir, stdout, stderr)
				}
				return usagef("reproduce: unknown experiment %q (allowed: toy, reverse, three-body, latent-ode, images)", pos[0])
			}
		},
	}
}

type toyMethodJSON struct {
	Gradient    float64 `json:"gradient"`
	RelErr      float64 `json:"relative_error"`
	NFE         int     `json:"nfe"`
	NFEForward  int     `json:"nfe_forward"`
	NFEBackward int     `json:"nfe_backward"`
	Bytes       int     `json:"bytes"`
}

type toyRowJSON struct {
	T       float64                  `json:"T"`
	Exact   float64                  `json:"exact"`
	Methods map[string]toyMethodJSON `json:"methods"`
}

type toyJSON struct {
	Experiment string       `json:"experiment"`
	Equation   string       `json:"equation"`
	K          float64      `json:"k"`
	Z0         float64      `json:"z0"`
	Solver     string       `json:"solver"`
	RTol       float64      `json:"rtol"`
	ATol       float64      `json:"atol"`
	Rows       []toyRowJSON `json:"rows"`
}

func reproduceToy(dir string, stdout io.Writer) error {
	s := toy.PaperSettings()
	rows, err := toy.Compare(toy.PaperTimes(), &s)
	if err != nil {
		return runtimeError{err}
	}
	fmt.Fprintf(stdout, "Paper Fig. 6: dz/dt = kz, k = 1, z0 = 1, L = z(T)^2, exact dL/dz0 = 2 z0 e^(2kT);\n")
	fmt.Fprintf(stdout, "dopri5, rtol = atol = %g. Relative error of dL/dz0 and function evaluations (forward + backward).\n\n", s.RTol)
	names := methodNames()
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "T\texact\t%s\t%s\t\n", prefixed("err ", names), prefixed("nfe ", names))
	doc := toyJSON{Experiment: "toy", Equation: "dz/dt = k z, L = z(T)^2", K: toy.K, Z0: toy.Z0,
		Solver: integrate.Dopri5.Name, RTol: s.RTol, ATol: s.ATol}
	for _, r := range rows {
		errs, nfes := make([]string, len(r.Methods)), make([]string, len(r.Methods))
		jr := toyRowJSON{T: r.T, Exact: r.Exact, Methods: map[string]toyMethodJSON{}}
		for i, m := range r.Methods {
			nfe := m.Stats.NFEForward + m.Stats.NFEBackward
			errs[i] = fmt.Sprintf("%.2e", m.RelErr)
			nfes[i] = fmt.Sprint(nfe)
			jr.Methods[m.Method] = toyMethodJSON{Gradient: m.Gradient, RelErr: m.RelErr, NFE: nfe,
				NFEForward: m.Stats.NFEForward, NFEBackward: m.Stats.NFEBackward, Bytes: m.Stats.Bytes}
		}
		doc.Rows = append(doc.Rows, jr)
		fmt.Fprintf(tw, "%g\t%.6g\t%s\t%s\t\n", r.T, r.Exact, strings.Join(errs, "\t"), strings.Join(nfes, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return runtimeError{err}
	}
	png := filepath.Join(dir, "toy.png")
	if err := plotToy(png, rows); err != nil {
		return runtimeError{fmt.Errorf("writing %s: %w", png, err)}
	}
	js := filepath.Join(dir, "toy.json")
	if err := writeJSON(js, doc); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "\nwrote %s and %s\n", png, js)
	return err
}

func prefixed(prefix string, names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return strings.Join(out, "\t")
}

func writeJSON(path string, v any) error {
	b, _, err := marshalJSON(v)
	if err != nil {
		return runtimeError{fmt.Errorf("%s: %w", path, err)}
	}
	if err := atomicfile.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return runtimeError{err}
	}
	return nil
}

type reverseJSON struct {
	Experiment  string             `json:"experiment"`
	System      string             `json:"system"`
	Mu          float64            `json:"mu"`
	Z0          []float64          `json:"z0"`
	T           float64            `json:"T"`
	Solver      string             `json:"solver"`
	RTol        float64            `json:"rtol"`
	ATol        float64            `json:"atol"`
	MaxError    float64            `json:"max_error"`
	NFEForward  int                `json:"nfe_forward"`
	NFEBackward int                `json:"nfe_backward"`
	Times       []float64          `json:"times"`
	Forward     [][]float64        `json:"forward"`
	Backward    [][]float64        `json:"backward"`
	Error       []float64          `json:"error"`
	Sweep       []reverse.SweepRow `json:"tolerance_sweep"`
}

func reproduceReverse(dir string, stdout io.Writer) error {
	res, err := reverse.VanDerPol()
	if err != nil {
		return runtimeError{err}
	}
	main, sweep, s, z0 := res.Main, res.Sweep, res.Settings, reverse.VanDerPolZ0()
	fmt.Fprintf(stdout, "Paper Fig. 4: van der Pol (mu = %g) from z0 = (%g, %g), solved forward to T = %g with dopri5\n", reverse.Mu, z0[0], z0[1], reverse.T)
	fmt.Fprintf(stdout, "(rtol %g, atol %g), then backward from z(T) through the same %d times, as the adjoint method does.\n\n", s.RTol, s.ATol, reverse.Points)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "t\tx forward\tv forward\tx backward\tv backward\t|error|\t")
	for i := len(main.Times) - 1; i >= 0; i -= reverse.Points / 10 {
		f, b := main.Forward[i], main.Backward[i]
		fmt.Fprintf(tw, "%g\t%.6f\t%.6f\t%.6f\t%.6f\t%.3g\t\n", main.Times[i], f[0], f[1], b[0], b[1], main.Error[i])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	imax := 0
	for i, e := range main.Error {
		if e > main.Error[imax] {
			imax = i
		}
	}
	fmt.Fprintf(stdout, "\nmax |z_back(t) - z_fwd(t)| = %.3g at t = %g (%d + %d function evaluations).\n",
		main.MaxError, main.Times[imax], main.ForwardStats.NFE, main.BackwardStats.NFE)
	fmt.Fprintf(stdout, "ACA's backward pass reuses the stored forward states, so its reconstruction error is 0.\n\n")
	fmt.Fprintln(stdout, "Same experiment at other tolerances:")
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rtol\tatol\tmax error\tnfe forward\tnfe backward\t")
	for _, r := range sweep {
		if r.Failure != "" {
			fmt.Fprintf(tw, "%g\t%g\tbackward solve failed: %s\t\t\t\n", r.RTol, r.ATol, r.Failure)
			continue
		}
		fmt.Fprintf(tw, "%g\t%g\t%.3g\t%d\t%d\t\n", r.RTol, r.ATol, r.MaxError, r.NFEForward, r.NFEBackward)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return runtimeError{err}
	}
	png := filepath.Join(dir, "reverse.png")
	if err := plotReverse(png, main); err != nil {
		return runtimeError{fmt.Errorf("writing %s: %w", png, err)}
	}
	doc := reverseJSON{Experiment: "reverse", System: "vanderpol", Mu: reverse.Mu, Z0: z0, T: reverse.T,
		Solver: integrate.Dopri5.Name, RTol: s.RTol, ATol: s.ATol, MaxError: main.MaxError,
		NFEForward: main.ForwardStats.NFE, NFEBackward: main.BackwardStats.NFE,
		Times: main.Times, Forward: main.Forward, Backward: main.Backward, Error: main.Error, Sweep: sweep}
	js := filepath.Join(dir, "reverse.json")
	if err := writeJSON(js, doc); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "\nwrote %s and %s\n", png, js)
	return err
}

// finiteOr replaces non-finite or non-positive values by floor, for log axes.
func finiteOr(v, floor float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < floor {
		return floor
	}
	return v
}
