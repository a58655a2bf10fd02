package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/physid/physid/internal/slurm"
)

// extraCommands are added to commands() after the cluster commands; tests
// put stand-in sharded commands here.
var extraCommands []command

// clusterCommands are the commands that spread a run over machines.
func clusterCommands() []command {
	return append([]command{slurmCommand(), mergeCommand()}, extraCommands...)
}

// slurmOwnFlags are identify slurm's own flags; every other flag belongs to
// the command it launches.
var slurmOwnFlags = map[string]bool{
	"tasks": true, "partition": true, "time": true, "cpus-per-task": true, "mem": true,
	"submit": true, "identify": true, "shard": true, "h": true, "help": true,
}

const (
	slurmArgs    = "COMMAND ARGS... --out DIR --tasks N [--partition P] [--time HH:MM:SS] [--cpus-per-task C] [--mem M] [--identify PATH] [--submit]"
	slurmSummary = `Write Slurm batch scripts that run COMMAND ARGS... as an array job of N tasks,
task I doing shard I of N (--shard auto), and a merge job that runs once the
array is over and combines the shards into DIR, as "identify merge DIR" does:
DIR/slurm/array.sbatch, merge.sbatch and submit.sh, logs in DIR/slurm/logs.
--submit queues both with sbatch and prints the job ids. The cluster needs
only the identify binary on a file system its nodes share (--identify, default
this binary): build it with "go build -o /shared/bin/identify ./cmd/identify".
COMMAND's own flags may stand anywhere; they are checked before anything is
written.`
)

func slurmCommand() command {
	return command{
		name:    "slurm",
		args:    slurmArgs,
		summary: slurmSummary,
		flags: func(fset *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			var o slurmFlags
			fset.IntVar(&o.job.Tasks, "tasks", 0, "number of array tasks N, the shard count (required)")
			fset.StringVar(&o.job.Partition, "partition", "", "partition (default: the cluster's)")
			fset.StringVar(&o.job.Time, "time", "", "time limit per task, HH:MM:SS (default: the partition's)")
			fset.IntVar(&o.job.CPUsPerTask, "cpus-per-task", 0, "CPUs per task (default: Slurm's, 1)")
			fset.StringVar(&o.job.Mem, "mem", "", "memory per task, e.g. 4G (default: the partition's)")
			fset.StringVar(&o.binary, "identify", "", "path of the identify binary on the shared file system (default: this one)")
			fset.BoolVar(&o.submit, "submit", false, "submit the jobs with sbatch")
			fset.StringVar(&o.shard, "shard", "", "rejected: each array task gets --shard auto "+passedOn)
			help := fset.Bool("help", false, "show this help "+passedOn)
			fset.BoolVar(help, "h", false, "show this help")
			// The launched command's flags are collected, in order, to be
			// passed on; they are checked against that command's own flags.
			// The help leaves them out: they are COMMAND's to describe.
			o.passed = passThroughFlags(fset)
			fset.SetOutput(hideForeign{fset.Output()})
			return func(pos []string, stdout, stderr io.Writer) error {
				if *help {
					// Our own -h (the flag package's would print every
					// passed-on flag): the usage as command.flagSet prints it.
					fset.SetOutput(hideForeign{stdout})
					fmt.Fprintf(stdout, "Usage: identify slurm %s\n\n%s\n\nFlags:\n", slurmArgs, slurmSummary)
					fset.PrintDefaults()
					return nil
				}
				o.pos = pos
				return launchSlurm(&o, stdout)
			}
		},
	}
}

type slurmFlags struct {
	job    slurm.Job
	binary string
	shard  string
	submit bool
	pos    []string
	passed *[]string
}

// passedOn ends the usage text of the flags identify slurm passes on (and
// of those its help leaves out).
const passedOn = "(passed on to COMMAND)"

// hideForeign drops the help entries of the passed-on flags: flag's
// PrintDefaults writes each flag's entry in one Write.
type hideForeign struct{ w io.Writer }

func (h hideForeign) Write(p []byte) (int, error) {
	if strings.Contains(string(p), passedOn) {
		return len(p), nil
	}
	return h.w.Write(p)
}

// passThrough records each use of a flag of another command as argv words.
type passThrough struct {
	name   string
	isBool bool
	out    *[]string
}

func (p passThrough) String() string { return "" }
func (p passThrough) Set(v string) error {
	*p.out = append(*p.out, "--"+p.name+"="+v)
	return nil
}
func (p passThrough) IsBoolFlag() bool { return p.isBool }

// passThroughFlags registers on fset every flag of the other commands (so
// that they may stand anywhere among the arguments, as they do for the
// command itself) and returns where their uses are recorded.
func passThroughFlags(fset *flag.FlagSet) *[]string {
	out := new([]string)
	isBool := map[string]bool{}
	for _, c := range commands() {
		if c.name == "slurm" || c.name == "merge" {
			continue
		}
		cf, _ := c.flagSet(io.Discard)
		cf.VisitAll(func(f *flag.Flag) {
			if slurmOwnFlags[f.Name] {
				return
			}
			b, seen := isBool[f.Name]
			isBool[f.Name] = isBoolFlag(f) && (!seen || b) // a value flag anywhere takes a value
		})
	}
	names := make([]string, 0, len(isBool))
	for n := range isBool {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fset.Var(passThrough{name: n, isBool: isBool[n], out: out}, n, passedOn)
	}
	return out
}

// shardedTarget returns the launch key and the command o.pos names, or a
// usage error when it is missing, given --shard or cannot be sharded.
func shardedTarget(o *slurmFlags) (string, *command, error) {
	if len(o.pos) == 0 {
		return "", nil, usagef("slurm needs a COMMAND to run, e.g. identify slurm fit SCENARIO --out DIR --tasks 4")
	}
	if o.shard != "" {
		return "", nil, usagef("slurm: drop --shard %s; each array task gets --shard auto", o.shard)
	}
	key := launchKey(o.pos)
	if _, ok := combiners[key]; !ok {
		list := strings.Join(mergeable(), ", ")
		if list == "" {
			list = "none yet"
		}
		return "", nil, usagef("slurm: %q cannot be sharded (commands with --shard and a merge: %s)", key, list)
	}
	var target *command
	for _, c := range commands() {
		if c.name == o.pos[0] {
			target = &c
			break
		}
	}
	if target == nil {
		return "", nil, usagef("slurm: unknown command %q", o.pos[0])
	}
	return key, target, nil
}

// slurmBinary returns the absolute path of the identify binary the tasks run:
// binary (--identify) or else this one, which must be an executable file.
func slurmBinary(binary string) (string, error) {
	var err error
	if binary == "" {
		if binary, err = os.Executable(); err != nil {
			return "", usagef("slurm: cannot find this binary (%v); give --identify PATH", err)
		}
		if r, err := filepath.EvalSymlinks(binary); err == nil {
			binary = r
		}
	}
	if binary, err = filepath.Abs(binary); err != nil {
		return "", err
	}
	if fi, err := os.Stat(binary); err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return "", usagef("--identify: %s is not an executable file; build one with go build -o PATH ./cmd/identify", binary)
	}
	return binary, nil
}

// launchKey is how shards and the merge registry name the launched command:
// "latent compare" and "images icc" are a command and its first argument.
func launchKey(pos []string) string {
	if len(pos) > 1 {
		if _, ok := combiners[pos[0]+" "+pos[1]]; ok {
			return pos[0] + " " + pos[1]
		}
	}
	return pos[0]
}

func launchSlurm(o *slurmFlags, stdout io.Writer) error {
	key, target, err := shardedTarget(o)
	if err != nil {
		return err
	}
	args := append(append([]string{}, o.pos[1:]...), *o.passed...)
	// Check the command's flags here, not in N failed tasks on the cluster.
	cf, _ := target.flagSet(io.Discard)
	if _, err := parseInterleaved(cf, args); err != nil {
		return usagef("slurm: %s: %v", o.pos[0], err)
	}
	outFlag := cf.Lookup("out")
	if outFlag == nil || outFlag.Value.String() == "" {
		return usagef("slurm: give %s --out DIR, a folder on the file system the nodes share: the shards, the merged result and the scripts go there", o.pos[0])
	}
	if o.job.Tasks < 1 {
		return usagef("slurm: --tasks N is required: the number of array tasks (the shard count), at least 1")
	}
	out, err := filepath.Abs(outFlag.Value.String())
	if err != nil {
		return err
	}
	binary, err := slurmBinary(o.binary)
	if err != nil {
		return err
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	j := o.job
	j.Name = "identify-" + strings.ReplaceAll(key, " ", "-")
	j.Command = append([]string{binary, o.pos[0]}, args...)
	j.Merge = []string{binary, "merge", out, "--out", out, "--shards", strconv.Itoa(j.Tasks)}
	j.Dir = filepath.Join(out, "slurm")
	j.WorkDir = wd
	if err := j.Check(); err != nil {
		return usageError{err: errors.New(strings.TrimPrefix(err.Error(), slurm.ErrJob.Error()+": "))}
	}
	if err := checkOutDir("--out", j.Dir); err != nil {
		return err
	}
	if o.submit {
		if _, err := slurm.LookSbatch(); err != nil {
			return usageError{err: err}
		}
	}
	s, err := slurm.Write(&j)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d array tasks of %s\n", s.Array, j.Tasks, strings.Join(append([]string{"identify"}, j.Command[1:]...), " ")+" --shard auto")
	fmt.Fprintf(stdout, "wrote %s: identify merge %s, after the array\n", s.Merge, out)
	if !o.submit {
		fmt.Fprintf(stdout, "submit both with: bash %s (or run this command with --submit)\n", s.Submit)
		return nil
	}
	ids, err := slurm.Submit(context.Background(), s)
	if errors.Is(err, slurm.ErrNoSbatch) {
		return usageError{err: err}
	}
	if err != nil {
		return runtimeError{err: err}
	}
	fmt.Fprintf(stdout, "submitted array job %s (%d tasks) and merge job %s (after the array)\n", ids.Array, j.Tasks, ids.Merge)
	fmt.Fprintf(stdout, "follow:  squeue -j %s,%s   (finished jobs: scontrol -o show job %s)\n", ids.Array, ids.Merge, ids.Array)
	fmt.Fprintf(stdout, "logs:    %s (task I), %s\n", filepath.Join(s.Logs, "task-I.out"), slurm.MergeLog(s.Logs))
	fmt.Fprintf(stdout, "result:  %s once job %s completes\n", out, ids.Merge)
	return nil
}
