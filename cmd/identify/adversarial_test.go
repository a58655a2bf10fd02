package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// advBase is the scenario the TOML corpus mutates: an expression model with
// bounds, constants, inline data, a loss, a solver, a fit and an
// extrapolation table, so that every kind of key is exercised.
const advBase = `name = "adv"
[system]
kind = "expression"
state = ["x", "y"]
[system.constants]
c = 2.0
[system.equations]
x = "-k*x + c*y"
y = "k*x - y*sqrt(y + 1)"
[[parameters]]
name = "k"
value = 0.5
init = 0.7
min = 0.0
max = 10.0
[initial_state]
z0 = [1.0, 0.5]
t0 = 0.0
[data]
observe = ["x", "y"]
t = [0.5, 1.0, 1.5]
z = [[0.8, 0.6], [0.7, 0.6], [0.6, 0.6]]
[loss]
time_weight = 1.0
[solver]
method = "dopri5"
rtol = 1e-7
atol = 1e-9
max_steps = 100000
[gradient]
method = "aca"
[fit]
epochs = 2
seed = 1
starts = 1
[extrapolate]
t1 = 3.0
points = 10
`

// hostileValues replace the value of one key at a time.
var hostileValues = []string{
	"-1", "0", "1e308", "-1e308", "1e-308", "nan", "inf", "-inf", `""`, `"x"`, "[]",
	"true", "9223372036854775807", "[1e308, -1e308]", "{}", `"min"`,
}

// adversarialCase is one input: the files it needs and the command line.
type adversarialCase struct {
	name  string
	files map[string]string // name → content, written to a fresh folder
	args  []string          // "$DIR" is that folder
}

// tomlCorpus mutates advBase: each value of each key replaced by each hostile
// value, plus whole-line deletions.
func tomlCorpus() []adversarialCase {
	var cases []adversarialCase
	lines := strings.Split(advBase, "\n")
	for i, line := range lines {
		key, _, ok := strings.Cut(line, " = ")
		if !ok {
			continue
		}
		for j, v := range hostileValues {
			mutated := append([]string(nil), lines...)
			mutated[i] = key + " = " + v
			cases = append(cases, adversarialCase{
				name:  fmt.Sprintf("toml/line%d-%s/%d", i+1, key, j),
				files: map[string]string{"s.toml": strings.Join(mutated, "\n")},
			})
		}
		deleted := append(append([]string(nil), lines[:i]...), lines[i+1:]...)
		cases = append(cases, adversarialCase{name: fmt.Sprintf("toml/line%d-%s/deleted", i+1, key),
			files: map[string]string{"s.toml": strings.Join(deleted, "\n")}})
	}
	return cases
}

// csvCorpus puts hostile CSV files behind data.file.
func csvCorpus() []adversarialCase {
	scenario := strings.Replace(advBase, "t = [0.5, 1.0, 1.5]\nz = [[0.8, 0.6], [0.7, 0.6], [0.6, 0.6]]", `file = "d.csv"`, 1)
	var cases []adversarialCase
	for i, body := range []string{
		"", "t,x,y\n", "t,x\n0.5,1\n", "t,x,y\n0.5,1_000,1\n", "t,x,y\n0x1p-1,1,1\n", "t,x,y\n0.5,nan,1\n",
		"t,x,y\n0.5,1e400,1\n", "t,x,y\n0.5,,1\n", "t,x,y\n0.5,\"1,1\n", "t,x,y\n0.5,1,1,1\n", "t,x,x\n0.5,1,1\n",
		"\ufefft,x,y\n0.5,1,1\n", "t,x,y\n1,1,1\n0.5,1,1\n", "t,x,y\n1,1,1\n1,1,1\n", "t,x,y\n-1,1,1\n",
		"t,x,y\n1e308,1,1\n", "t,x,y\ninf,1,1\n", "t,x,y\n0.5,1e308,1e308\n", "\x00\x01\x02", "t;x;y\n0.5;1;1\n",
		"t,x,y\n0.5,0x10,1\n", "t,x,y\n0.5, 1 ,1\n", "t,x,y\n0.5,1e-400,1\n", "t,x,y\n" + strings.Repeat("0.5,1,1\n", 3),
	} {
		cases = append(cases, adversarialCase{name: fmt.Sprintf("csv/%d", i),
			files: map[string]string{"s.toml": scenario, "d.csv": body}})
	}
	return cases
}

// flagCorpus runs the commands with hostile flag values on the valid base.
func flagCorpus() []adversarialCase {
	var cases []adversarialCase
	for i, args := range [][]string{
		{"fit", "--epochs", "-1"}, {"fit", "--epochs", "x"}, {"fit", "--seed", "-1"}, {"fit", "--method", "bogus"},
		{"fit", "--optimizer", "bogus"}, {"fit", "--out", "/proc/none/x"}, {"fit", "--resume", "$DIR/none"},
		{"fit", "--bogus"}, {"simulate", "--t1", "inf"}, {"simulate", "--t1", "1e308"}, {"simulate", "--t1", "nan"},
		{"simulate", "--t1", "-1"}, {"simulate", "--points", "0"}, {"simulate", "--points", "-5"},
		{"simulate", "--points", "1e9"}, {"simulate", "--points", "99999999999"}, {"grad", "--method", "x"},
		{"grad", "--json", "--method", ""}, {"extrapolate", "--from", "$DIR/none.json"},
		{"extrapolate", "--from", "$DIR/s.toml"}, {"extrapolate"}, {"simulate", "--out", "$DIR"},
		{"grad", "extra-arg"}, {"simulate", "--t1", "0"},
	} {
		cases = append(cases, adversarialCase{name: fmt.Sprintf("flags/%d-%s", i, strings.Join(args, "_")),
			files: map[string]string{"s.toml": advBase}, args: args})
	}
	return cases
}

// pathCorpus gives paths that are not scenario files.
func pathCorpus() []adversarialCase {
	var cases []adversarialCase
	for i, p := range []string{"$DIR/none.toml", "$DIR", "/dev/zero", "/dev/null", "$DIR/fifo", "$DIR/empty.toml",
		"$DIR/binary.toml", "", "-", "$DIR/s.toml/x"} {
		for _, cmd := range []string{"grad", "fit", "simulate"} {
			cases = append(cases, adversarialCase{name: fmt.Sprintf("path/%d-%s", i, cmd),
				files: map[string]string{"s.toml": advBase, "empty.toml": "", "binary.toml": "\x00\xff\xfe\x01"},
				args:  []string{cmd, p}})
		}
	}
	return cases
}

// located matches what an input error must name: a file and line, a field
// path, or a flag.
var located = regexp.MustCompile(`\.(toml|csv|json)(:\d+)?: |--[a-z0-9-]+|^identify: [a-z]+: `)

// nonFinite matches a NaN or infinity printed as a number.
var nonFinite = regexp.MustCompile(`(?i)(^|[^a-z])(nan|[+-]?inf)([^a-z]|$)`)

// TestAdversarialCorpus runs several hundred malformed inputs through the
// commands: none may panic (exit 3), hang (each well under 10 s), print NaN
// or Inf, or fail without naming where the problem is.
func TestAdversarialCorpus(t *testing.T) {
	corpus := append(append(append(tomlCorpus(), csvCorpus()...), flagCorpus()...), pathCorpus()...)
	require.GreaterOrEqual(t, len(corpus), 200)
	counts := map[int]int{}
	var failures []string
	for _, tc := range corpus {
		dir := t.TempDir()
		for name, content := range tc.files {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
		}
		require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644))
		args := tc.args
		if args == nil {
			args = []string{"grad"}
		}
		args = append([]string(nil), args...)
		if !strings.HasPrefix(tc.name, "path/") {
			args = append(args[:1], append([]string{"$DIR/s.toml"}, args[1:]...)...)
		}
		cmd := args[0]
		if cmd == "fit" && !hasFlag(args, "--out") {
			args = append(args, "--out", "$DIR/out")
		}
		if cmd == "simulate" && !hasFlag(args, "--out") {
			args = append(args, "--out", "$DIR/sim.csv")
		}
		for i := range args {
			args[i] = strings.ReplaceAll(args[i], "$DIR", dir)
		}
		runs := [][]string{args}
		if tc.args == nil { // TOML and CSV inputs go through every command
			runs = append(runs,
				[]string{"simulate", args[1], "--out", filepath.Join(dir, "sim.csv")},
				[]string{"fit", args[1], "--out", filepath.Join(dir, "out")})
		}
		for _, a := range runs {
			code, stdout, stderr, _ := runTimed(a, 10*time.Second)
			counts[code]++
			fail := func(why string) {
				failures = append(failures, fmt.Sprintf("%s: %s: %s\n    stderr: %.300s", tc.name, strings.Join(a, " "), why, stderr))
			}
			switch {
			case code < 0:
				fail("still running after 10 s")
			case code == exitInternal:
				fail("internal error")
			}
			if code == exitOK && nonFinite.MatchString(stdout) {
				fail("printed a non-finite number: " + firstMatchLine(stdout))
			}
			if code != exitOK && !located.MatchString(stderr) && !(len(a) > 1 && a[1] != "" && strings.HasPrefix(stderr, a[1]+": ")) {
				fail("the message names no file:line, field or flag")
			}
		}
	}
	t.Logf("%d inputs, exit statuses %v", len(corpus), counts)
	assert.Empty(t, failures, "%d failures:\n%s", len(failures), strings.Join(failures[:min(len(failures), 40)], "\n"))
}

func hasFlag(args []string, f string) bool {
	for _, a := range args {
		if a == f {
			return true
		}
	}
	return false
}

func firstMatchLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if nonFinite.MatchString(l) {
			return l
		}
	}
	return ""
}

// runTimed runs the command in-process with a deadline; code is −1 when it
// did not return in time (its goroutine is abandoned).
func runTimed(args []string, d time.Duration) (code int, stdout, stderr string, elapsed time.Duration) {
	type out struct {
		code           int
		stdout, stderr string
	}
	began := time.Now()
	done := make(chan out, 1)
	go func() {
		c, o, e := call(args...)
		done <- out{c, o, e}
	}()
	select {
	case r := <-done:
		return r.code, r.stdout, r.stderr, time.Since(began)
	case <-time.After(d):
		return -1, "", "", d
	}
}
