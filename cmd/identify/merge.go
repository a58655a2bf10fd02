package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/physid/physid/internal/shard"
	"github.com/physid/physid/internal/slurm"
)

// combiner turns the complete, consistent shards of one run (m.Parts[i] is
// shard i) into exactly what the single-machine command writes, in folder
// out (which merge has already made and checked with checkOutDir): the same
// result.json, best fit, waterfall order and plots. It prints what it wrote
// to stdout, as the command does.
type combiner func(m *shard.Merged, out string, stdout io.Writer) error

// combiners holds the merge of every command that can be sharded, keyed by
// the command as a shard records it ("fit", "profile", "compare",
// "latent compare", "images icc"). Each sharded command registers its
// combiner beside its --shard support; identify slurm launches only the
// commands listed here, since what cannot be merged is not worth sharding.
var combiners = map[string]combiner{}

// registerCombiner adds the merge of command; registering one twice is a
// bug. It returns true, so that a package-level variable can register: those
// are set before any init function runs (the tests' identify stand-in runs
// commands from one).
func registerCombiner(command string, c combiner) bool {
	if _, dup := combiners[command]; dup {
		panic("identify: two combiners for " + command)
	}
	combiners[command] = c
	return true
}

// mergeable lists the commands with a combiner, sorted.
func mergeable() []string {
	var names []string
	for n := range combiners {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func mergeCommand() command {
	return command{
		name: "merge",
		args: "DIR [DIR...] [--out DIR] [--shards N]",
		summary: `Combine the partial results shard-I-of-N.json that a command run with --shard
wrote into the folders DIR into exactly what the command writes on one machine
(default --out: the first DIR). A shard missing, failed, given twice, or from
another run (scenario, settings or shard count differ) is named, with exit 2.`,
		flags: func(fset *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			out := fset.String("out", "", "folder for the merged result (default: the first DIR)")
			shards := fset.Int("shards", 0, "the shard count `N` the run was launched with, so that shards are named missing even if none finished (default: from the files)")
			return func(pos []string, stdout, stderr io.Writer) error {
				if len(pos) == 0 {
					return usagef("merge needs at least one DIR holding shard-I-of-N.json files")
				}
				if *shards < 0 || *shards > shard.MaxCount {
					return usagef("--shards %d: want a whole number from 1 to %d (0: from the files)", *shards, shard.MaxCount)
				}
				return merge(pos, *out, *shards, stdout)
			}
		},
	}
}

func merge(dirs []string, out string, of int, stdout io.Writer) error {
	m, err := shard.Merge(dirs, of)
	var me *shard.MergeError
	if errors.As(err, &me) {
		return usageError{err: errors.New(mergeReport(me, dirs))}
	}
	if err != nil {
		return err
	}
	combine, ok := combiners[m.Command]
	if !ok {
		return usagef("merge: the shards in %s are of %q, which has no merge (mergeable: %s)",
			strings.Join(dirs, ", "), m.Command, strings.Join(mergeable(), ", "))
	}
	if out == "" {
		out = dirs[0]
	}
	if err := checkOutDir("--out", out); err != nil {
		return err
	}
	return combine(m, out, stdout)
}

// mergeReport is the merge error with, for each missing shard, the log of
// the Slurm array task that should have written it, when identify slurm
// laid the folder out (DIR/slurm/logs/task-I.out).
func mergeReport(me *shard.MergeError, dirs []string) string {
	var b strings.Builder
	b.WriteString("merge: " + strings.TrimPrefix(me.Error(), shard.ErrMerge.Error()+": "))
	for _, i := range me.Missing {
		for _, d := range dirs {
			log := slurm.TaskLog(filepath.Join(d, "slurm", "logs"), i)
			if _, err := os.Stat(log); err == nil {
				fmt.Fprintf(&b, "\n  shard %d is Slurm array task %d; its log: %s", i, i, log)
				break
			}
		}
	}
	return b.String()
}
