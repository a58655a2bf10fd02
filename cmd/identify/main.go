package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"

	"github.com/physid/physid/scenarios"
)

// Exit statuses.
const (
	exitOK       = 0
	exitRuntime  = 1
	exitUsage    = 2
	exitInternal = 3
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usageText = `identify — physics-informed system identification with ACA gradients

Usage:
  identify fit SCENARIO [--out DIR] [--method M] [--optimizer lm|lbfgs|adam] [--epochs N] [--seed S] [--json] [--resume DIR]
      Fit the free parameters (default: bound-constrained Levenberg–Marquardt), extrapolate,
      write result.json, history.csv, trajectory.csv, orbits.png, loss.png; "warning:" lines on stderr
      when the fit did not converge, a parameter sits at a bound or the extrapolation failed.
      --resume: Adam resumes exactly; LM and L-BFGS restart from the best point found.
  identify simulate SCENARIO [--out FILE.csv] [--t1 T] [--points N]
      Write a trajectory at the parameters' true values.
  identify extrapolate SCENARIO --from DIR/result.json|MODEL.json [--t1 T] [--points N] [--json]
      Extrapolate a saved fit (or a node model saved by compare) and report its error.
  identify compare SCENARIO [--runs N] [--models lstm,lstm-aug,node,ode] [--methods M,...] [--budget full|reduced] [--out DIR] [--json]
      Learned models against the physics model (paper Table 5, Fig. 8).
  identify grad SCENARIO [--method aca|adjoint|naive|forward] [--check] [--json]
      Evaluate the loss and its gradient at the parameters' init values (--check: against finite differences).
  identify precision SCENARIO [--methods aca,adjoint,forward] [--tols 1e-6,...,1e-10] [--reference-tol 1e-12] [--repeats N] [--out DIR] [--json]
      Work-precision of the gradient: error against a tight ACA reference, time and NFE per method and tolerance;
      write precision.json, precision.png.
  identify profile SCENARIO [--params p1,p2] [--points N] [--out DIR] [--optimizer O] [--epochs N] [--json]
      Profile-likelihood and Wald 95% intervals per parameter; write profile.json, profile_<name>.png.
  identify reproduce toy [--out DIR]
      The paper's Fig. 6: gradient error of each method on dz/dt = kz.
  identify reproduce reverse [--conv] [--out DIR]
      The paper's Fig. 4: van der Pol solved forward, then backward (--conv: Fig. 5, an image).
  identify reproduce three-body|latent-ode|images [--out DIR]
      Table 5 (3 runs), Table 4 and Tables 2-3 at their reduced defaults.
  identify images train|compare|icc [--model resnet|node] [--method M] [--solver S] [--data DIR|--dataset fashion-mnist] [--epochs N] [--width W] [--runs R] [--out DIR] [--json]
      Image classifiers: a ResNet or its neural-ODE counterpart (paper Sec. 4.2, Tables 2-3).
  identify latent train|compare [--model rnn|gru|latent-ode] [--data DIR] [--observed F] [--method M] [--epochs N] [--out DIR] [--json]
      Sequence models on irregularly sampled hopper data (paper Sec. 4.3, Table 4).
  identify slurm COMMAND ARGS... --out DIR --tasks N [--partition P] [--time HH:MM:SS] [--cpus-per-task C] [--mem M] [--submit]
      Run a sharded command as a Slurm array job of N tasks (--shard auto) and a merge job after it.
  identify merge DIR [DIR...] [--out DIR]
      Combine the shard-I-of-N.json files of a --shard run into the single-machine result.
  identify help [COMMAND]
      Show this text, or a command's flags.

Flags may come before or after the positional arguments.
Exit status: 0 success, 1 computation failed, 2 usage or input error, 3 internal error.
`

// command is one subcommand: its flags and what it does with the rest.
type command struct {
	name, args, summary string
	flags               func(fset *flag.FlagSet) func(pos []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return append([]command{fitCommand(), gradCommand(), precisionCommand(), profileCommand(), simulateCommand(), extrapolateCommand(), compareCommand(), reproduceCommand(), imagesCommand(), latentCommand()}, clusterCommands()...)
}

func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "identify: internal error: %v\n%s", r, debug.Stack())
			code = exitInternal
		}
	}()
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			for _, c := range commands() {
				if c.name == args[1] {
					fset, _ := c.flagSet(stdout)
					fset.Usage()
					return exitOK
				}
			}
			fmt.Fprintf(stderr, "identify: unknown command %q (allowed: fit, simulate, extrapolate, grad, precision, profile, compare, reproduce, images, latent, merge, slurm, help)\n", args[1])
			return exitUsage
		}
		fmt.Fprint(stdout, usageText)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name {
			return report(c.run(args[1:], stdout, stderr), stderr)
		}
	}
	fmt.Fprintf(stderr, "identify: unknown command %q (allowed: fit, simulate, extrapolate, grad, precision, profile, compare, reproduce, images, latent, merge, slurm, help)\n\n%s", name, usageText)
	return exitUsage
}

// flagSet returns the command's flag set, writing messages to out, and the
// function that runs the command once the flags are parsed.
func (c command) flagSet(out io.Writer) (*flag.FlagSet, func([]string, io.Writer, io.Writer) error) {
	fset := flag.NewFlagSet("identify "+c.name, flag.ContinueOnError)
	fset.SetOutput(out)
	do := c.flags(fset)
	fset.Usage = func() {
		out := fset.Output()
		fmt.Fprintf(out, "Usage: identify %s %s\n\n%s\n", c.name, c.args, c.summary)
		hasFlags := false
		fset.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(out, "\nFlags:")
			fset.PrintDefaults()
		}
	}
	return fset, do
}

func (c command) run(args []string, stdout, stderr io.Writer) error {
	fset, do := c.flagSet(stderr)
	usage := fset.Usage
	fset.Usage = func() {} // printed below, to stdout for -h and to stderr after a mistake
	pos, err := parseInterleaved(fset, args)
	if errors.Is(err, flag.ErrHelp) {
		fset.SetOutput(stdout)
		usage()
		return nil
	}
	if err != nil {
		usage()
		return usageError{err: err, quiet: true} // flag has printed the message
	}
	for i, a := range pos {
		if a == "" {
			return usagef("%s: argument %d is an empty string; give a file path", c.name, i+1)
		}
	}
	return do(pos, stdout, stderr)
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments (the standard flag package stops at the first
// positional one): flags, with the value of a non-boolean flag given as the
// next argument, are moved to the front. "--" ends the flags.
func parseInterleaved(fset *flag.FlagSet, args []string) ([]string, error) {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fset.Lookup(name); f != nil && !isBoolFlag(f) && i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	if err := fset.Parse(flags); err != nil {
		return nil, err
	}
	return append(pos, fset.Args()...), nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// usageError is a mistake on the command line: exit status 2.
type usageError struct {
	err   error
	quiet bool // already reported
}

func (e usageError) Error() string { return e.err.Error() }

func usagef(format string, args ...any) error {
	return usageError{err: fmt.Errorf(format, args...)}
}

// oneScenario checks that a command got exactly one positional argument, its
// SCENARIO file; hint, when not empty, is added to the message in parentheses.
func oneScenario(name string, pos []string, hint string) error {
	if len(pos) == 1 {
		return nil
	}
	if hint != "" {
		return usagef("%s needs exactly one SCENARIO file, got %d arguments (%s)", name, len(pos), hint)
	}
	return usagef("%s needs exactly one SCENARIO file, got %d arguments", name, len(pos))
}

// runtimeError is a failed computation: exit status 1.
type runtimeError struct{ err error }

func (e runtimeError) Error() string { return e.err.Error() }
func (e runtimeError) Unwrap() error { return e.err }

// report prints err and returns the exit status for it.
func report(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	var se *scenarios.Error
	var pe *fs.PathError
	switch {
	case errors.As(err, &ue):
		if !ue.quiet {
			fmt.Fprintf(stderr, "identify: %v\n", err)
		}
		return exitUsage
	case errors.As(err, &se):
		fmt.Fprintln(stderr, se.Error()) // already FILE:LINE: FIELD: problem
		return exitUsage
	case errors.As(err, new(internalError)):
		fmt.Fprintf(stderr, "identify: %v\n", err)
		return exitInternal
	case errors.As(err, new(fitError)):
		fmt.Fprintf(stderr, "identify: %v\n", err)
		return exitUsage
	case errors.As(err, &pe) && !isRuntime(err):
		fmt.Fprintf(stderr, "identify: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "identify: %v\n", err)
	return exitRuntime
}

func isRuntime(err error) bool {
	var re runtimeError
	return errors.As(err, &re)
}
