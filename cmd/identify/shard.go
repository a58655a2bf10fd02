package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/physid/physid/internal/shard"
)

// shardFlagUsage is the --shard flag's help, the same for every command
// whose work is a list of independent tasks.
const shardFlagUsage = "do only shard `I/N` of the tasks (0-based; task k goes to shard k mod N), writing DIR/shard-I-of-N.json for identify merge; " +
	"auto: I and N from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX with JOB_COMPLETION_COUNT (or auto/N) in a Kubernetes indexed Job"

// addShardFlag registers --shard on fset; parseShard reads its value.
func addShardFlag(fset *flag.FlagSet) *string {
	return fset.String("shard", "", shardFlagUsage)
}

// parseShard resolves a --shard value, "auto" from the environment, as a
// usage error that names the flag and the variable at fault.
func parseShard(value string) (shard.Spec, error) {
	s, err := shard.Parse(value, os.Getenv)
	if err != nil {
		return shard.Spec{}, usagef("--shard %s", strings.TrimPrefix(err.Error(), shard.ErrSpec.Error()+" "))
	}
	return s, nil
}

// shardRun is one shard of a sharded command: which tasks it does and the
// identity of the run it belongs to, which every shard records so that
// identify merge can tell shards of one run from those of another.
type shardRun struct {
	spec     shard.Spec
	command  string // the command as merge's registry names it, e.g. "fit", "latent compare"
	scenario string
	hash     string
	settings json.RawMessage
}

// newShardRun prepares shard value (a --shard flag) of command on the
// scenario file at path ("" for a command without one, whose settings then
// identify its input); settings are the options that change the result
// (seed, number of starts, data folder, ...), which must agree across shards.
func newShardRun(command, value, path string, settings any) (*shardRun, error) {
	s, err := parseShard(value)
	if err != nil {
		return nil, err
	}
	var hash string
	if path != "" {
		if hash, err = shard.HashFile(path); err != nil {
			return nil, err
		}
	}
	raw, err := json.Marshal(settings)
	if err != nil {
		return nil, err
	}
	return &shardRun{spec: s, command: command, scenario: path, hash: hash, settings: raw}, nil
}

// owns reports whether task k is this shard's.
func (r *shardRun) owns(k int) bool { return r.spec.Owns(k) }

// write records this shard's results for its tasks among 0..total-1 as
// dir/shard-I-of-N.json and returns the path.
func (r *shardRun) write(dir string, total int, payload any) (string, error) {
	b, _, err := marshalJSON(payload) // a non-finite number is null, as in result.json
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return shard.Write(dir, &shard.Partial{
		Command: r.command, Scenario: r.scenario, ScenarioSHA256: r.hash, Settings: r.settings,
		Shard: r.spec.Index, Of: r.spec.Count, TotalTasks: total, Tasks: r.spec.Tasks(total),
		Payload: b,
	})
}

// finish encodes this shard's results (summary as JSON, v exactly) for its
// tasks among 0..total-1, writes them and says so on stdout, naming the tasks
// what ("runs", "sides", "starts"). A failure is recorded as fail records it.
func (r *shardRun) finish(dir string, total int, what string, seconds float64, summary, v any, stdout io.Writer) error {
	pl, err := encodeExact(seconds, summary, v)
	if err != nil {
		return r.fail(dir, err)
	}
	path, err := r.write(dir, total, pl)
	if err != nil {
		return r.fail(dir, err)
	}
	fmt.Fprintf(stdout, "wrote %s: %s %v of %d\n", path, what, r.spec.Tasks(total), total)
	return nil
}

// fail leaves dir/shard-I-of-N.failed.json saying why this shard failed, so
// that identify merge can report it; it returns cause.
func (r *shardRun) fail(dir string, cause error) error {
	if os.MkdirAll(dir, 0o755) == nil {
		shard.WriteFailure(dir, r.command, r.spec, cause) // best effort: cause is what matters
	}
	return cause
}
