package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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

// advSaved is a result.json of advBase as a resume reads it (LM, the
// default optimizer, one start); resumeCorpus mutates it.
const advSaved = `{"scenario": "adv", "optimizer": "lm", "parameter_order": ["k"], "fixed": [],
"parameters": {"k": {"value": 0.6, "init": 0.7}},
"starts": [{"start": 0, "init": [0.7], "params": [0.6], "loss": 0.01, "epochs": 1, "nfe": 10,
"history": [{"epoch": 1, "loss": 0.01, "params": [0.6]}], "status": "interrupted"` + "%s" + `}]%s}`

// resumeCorpus resumes saved fits that do not match advBase (or are broken),
// and saved Adam states of every wrong shape.
func resumeCorpus() []adversarialCase {
	adamState := func(u, m, v string) string {
		return fmt.Sprintf(`, "state": {"u": %s, "m": %s, "v": %s, "lr": 0.1, "step": 1}`, u, m, v)
	}
	var cases []adversarialCase
	for i, tc := range []struct {
		saved string
		args  []string
	}{
		{fmt.Sprintf(advSaved, "", ""), nil},
		{fmt.Sprintf(advSaved, "", ""), []string{"--optimizer", "adam"}},
		{fmt.Sprintf(advSaved, "", ""), []string{"--optimizer", "lbfgs"}},
		{fmt.Sprintf(advSaved, adamState("[0.1]", "[0]", "[0]"), ""), []string{"--optimizer", "adam"}},
		{strings.Replace(fmt.Sprintf(advSaved, adamState("[0.1]", "[0]", "[0]"), ""), `"lm"`, `"adam"`, 1), []string{"--optimizer", "adam"}},
		{strings.Replace(fmt.Sprintf(advSaved, adamState("[]", "[0]", "[0]"), ""), `"lm"`, `"adam"`, 1), []string{"--optimizer", "adam"}},
		{strings.Replace(fmt.Sprintf(advSaved, adamState("[0.1, 0.2]", "[0, 0]", "[0, 0]"), ""), `"lm"`, `"adam"`, 1), []string{"--optimizer", "adam"}},
		{strings.Replace(fmt.Sprintf(advSaved, adamState("null", "null", "null"), ""), `"lm"`, `"adam"`, 1), []string{"--optimizer", "adam"}},
		{strings.Replace(fmt.Sprintf(advSaved, adamState("[1e308]", "[1e308]", "[1e308]"), ""), `"lm"`, `"adam"`, 1), []string{"--optimizer", "adam"}},
		{strings.Replace(fmt.Sprintf(advSaved, `, "state": {"u": [0.1], "m": [0], "v": [0], "step": -5}`, ""), `"lm"`, `"adam"`, 1), []string{"--optimizer", "adam"}},
		{strings.Replace(fmt.Sprintf(advSaved, "", ""), `"params": [0.6]}],`, `"params": [0.6, 1]}],`, 1), nil},
		{strings.Replace(fmt.Sprintf(advSaved, "", ""), `"init": [0.7], "params": [0.6]`, `"init": [0.7, 1], "params": [0.6, 2]`, 1), nil},
		{strings.Replace(fmt.Sprintf(advSaved, "", ""), `["k"]`, `["mu"]`, 1), nil},
		{strings.Replace(fmt.Sprintf(advSaved, "", ""), `["k"]`, `["k", "c"]`, 1), nil},
		{strings.Replace(fmt.Sprintf(advSaved, "", ""), `"adv"`, `"three-body"`, 1), nil},
		{strings.Replace(fmt.Sprintf(advSaved, "", ""), `"fixed": []`, `"fixed": ["k"]`, 1), nil},
		{strings.Replace(fmt.Sprintf(advSaved, "", ""), `"epochs": 1,`, `"epochs": -1,`, 1), nil},
		{strings.Replace(fmt.Sprintf(advSaved, "", ""), `"epochs": 1,`, `"epochs": 9223372036854775807,`, 1), nil},
		{strings.Replace(fmt.Sprintf(advSaved, "", ""), `"start": 0,`, `"start": 3,`, 1), nil},
		{fmt.Sprintf(advSaved, "", `, {"start": 1}`), nil},
		{`{"optimizer": "lm", "parameter_order": ["k"], "starts": []}`, nil},
		{`{"optimizer": "lm"}`, nil},
		{fmt.Sprintf(advSaved, "", "")[:80], nil},
		{strings.Replace(fmt.Sprintf(advSaved, "", ""), `"fixed": []`, `"history_thinned": true`, 1), nil},
		{"", nil},
	} {
		cases = append(cases, adversarialCase{name: fmt.Sprintf("resume/%d", i),
			files: map[string]string{"s.toml": advBase, "saved/result.json": tc.saved},
			args:  append([]string{"fit", "--resume", "$DIR/saved"}, tc.args...)})
	}
	// A thinned history whose history.csv is broken.
	for i, csv := range []string{"", "start,epoch,loss,k\n0,1,x,1\n", "start,epoch,loss,k\n0,1\n"} {
		cases = append(cases, adversarialCase{name: fmt.Sprintf("resume/history-%d", i),
			files: map[string]string{"s.toml": advBase, "saved/history.csv": csv,
				"saved/result.json": strings.Replace(fmt.Sprintf(advSaved, "", ""), `"fixed": []`, `"history_thinned": true`, 1)},
			args: []string{"fit", "--resume", "$DIR/saved"}})
	}
	return cases
}

// outCorpus points fits at folders that are locked, busy or odd.
func outCorpus() []adversarialCase {
	var cases []adversarialCase
	for i, lock := range []string{"$PID\n", "$DEADPID\n", "", "garbage", "-1", "0", "99999999999999999999"} {
		cases = append(cases, adversarialCase{name: fmt.Sprintf("out/lock-%d", i),
			files: map[string]string{"s.toml": advBase, "out.lock": lock}, args: []string{"fit"}})
	}
	for i, args := range [][]string{
		{"fit", "--out", "$DIR/out.lock/x"}, {"fit", "--out", "/proc/self"}, {"fit", "--out", "$DIR/s.toml"},
		{"fit", "--out", "$DIR/lockdir"}, {"fit", "--resume", "$DIR/out", "--out", "$DIR/out"},
		{"profile", "--out", "/proc/self"}, {"compare", "--out", "/proc/self"},
	} {
		cases = append(cases, adversarialCase{name: fmt.Sprintf("out/%d", i),
			files: map[string]string{"s.toml": advBase, "out.lock": "$PID", "lockdir.lock/x": "x"}, args: args})
	}
	return cases
}

// modelCorpus gives models whose loss or optimizer state overflows.
func modelCorpus() []adversarialCase {
	var cases []adversarialCase
	for i, tc := range []struct {
		from, to string
		args     []string
	}{
		{"z0 = [1.0, 0.5]", "z0 = [1e100, 0.5]", []string{"--optimizer", "adam"}},
		{"z0 = [1.0, 0.5]", "z0 = [1e150, 1e150]", []string{"--optimizer", "adam"}},
		{"z0 = [1.0, 0.5]", "z0 = [1e100, 0.5]", []string{"--optimizer", "lbfgs"}},
		{"z0 = [1.0, 0.5]", "z0 = [1e100, 0.5]", []string{"--optimizer", "lm"}},
		{"z0 = [1.0, 0.5]", "z0 = [1e200, 0.5]", nil},
		{"epochs = 2", "epochs = 5\noptimizer = \"adam\"\nlr = 1e308", nil},
		{"epochs = 2", "epochs = 5\noptimizer = \"adam\"\nlr = 1e300", nil},
		{"epochs = 2", "epochs = 5\noptimizer = \"adam\"\nlr = 1e308\nlr_decay = 1e308", nil},
		{"t1 = 3.0", "t1 = 1e6", nil},
		{"max = 10.0", "max = 1e308", []string{"--optimizer", "adam"}},
	} {
		cases = append(cases, adversarialCase{name: fmt.Sprintf("model/%d", i),
			files: map[string]string{"s.toml": strings.Replace(advBase, tc.from, tc.to, 1)},
			args:  append([]string{"fit"}, tc.args...)})
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
	corpus = append(append(append(corpus, resumeCorpus()...), outCorpus()...), modelCorpus()...)
	dead := deadPid(t)
	require.GreaterOrEqual(t, len(corpus), 200)
	counts := map[int]int{}
	var failures []string
	for _, tc := range corpus {
		dir := t.TempDir()
		for name, content := range tc.files {
			content = strings.ReplaceAll(content, "$DEADPID", strconv.Itoa(dead))
			content = strings.ReplaceAll(content, "$PID", strconv.Itoa(os.Getpid()))
			require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
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
