package shard

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrSpec is wrapped by every error of Parse: a --shard value or its
// environment that names no valid shard.
var ErrSpec = errors.New("shard: invalid shard")

// Spec names one shard of a run: Index of Count, 0 ≤ Index < Count. The zero
// value is the whole run on one machine (shard 0 of 1).
type Spec struct {
	Index, Count int
}

// Whole is the single-machine run: one shard that owns every task.
var Whole = Spec{Index: 0, Count: 1}

func (s Spec) count() int {
	if s.Count <= 0 {
		return 1
	}
	return s.Count
}

// IsWhole reports whether s is the whole run (one shard).
func (s Spec) IsWhole() bool { return s.count() == 1 }

// Owns reports whether task k (0-based) is this shard's: k mod Count = Index.
func (s Spec) Owns(k int) bool { return k%s.count() == s.Index }

// Tasks returns this shard's tasks among tasks 0..n-1, in increasing order.
func (s Spec) Tasks(n int) []int {
	ks := []int{}
	for k := s.Index; k < n; k += s.count() {
		ks = append(ks, k)
	}
	return ks
}

// String is the flag form "I/N".
func (s Spec) String() string { return fmt.Sprintf("%d/%d", s.Index, s.count()) }

// FileName is the partial result's name, "shard-I-of-N.json".
func (s Spec) FileName() string { return fmt.Sprintf("shard-%d-of-%d.json", s.Index, s.count()) }

// FailureName is the name of the note a failed shard leaves,
// "shard-I-of-N.failed.json".
func (s Spec) FailureName() string {
	return fmt.Sprintf("shard-%d-of-%d.failed.json", s.Index, s.count())
}

// Environment variables that Parse reads for "auto".
const (
	EnvSlurmTaskID    = "SLURM_ARRAY_TASK_ID"
	EnvSlurmTaskMin   = "SLURM_ARRAY_TASK_MIN"
	EnvSlurmTaskCount = "SLURM_ARRAY_TASK_COUNT"
	EnvJobIndex       = "JOB_COMPLETION_INDEX" // Kubernetes indexed Job
	EnvJobCount       = "JOB_COMPLETION_COUNT" // set by the manifest: Kubernetes has no such variable of its own
)

// MaxCount bounds N: more shards than this is a typing mistake, not a run.
const MaxCount = 1 << 20

// Parse reads a --shard value: "I/N" (0-based I), "auto" or "auto/N".
// "auto" takes I and N from a Slurm array task (SLURM_ARRAY_TASK_ID less
// SLURM_ARRAY_TASK_MIN, and SLURM_ARRAY_TASK_COUNT) or, outside Slurm, from
// a Kubernetes indexed Job (JOB_COMPLETION_INDEX, with N from
// JOB_COMPLETION_COUNT or from "auto/N"). getenv looks the variables up
// (os.Getenv; nil means no environment). The empty string is Whole.
// Errors wrap ErrSpec and name the value or variable at fault.
func Parse(value string, getenv func(string) string) (Spec, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	v := strings.TrimSpace(value)
	if v == "" {
		return Whole, nil
	}
	if v == "auto" || strings.HasPrefix(v, "auto/") {
		count := 0
		if c, ok := strings.CutPrefix(v, "auto/"); ok {
			n, err := parseCount(c, fmt.Sprintf("%q", value))
			if err != nil {
				return Spec{}, err
			}
			count = n
		}
		return parseAuto(value, count, getenv)
	}
	is, ns, ok := strings.Cut(v, "/")
	if !ok {
		return Spec{}, fmt.Errorf("%w %q: want I/N (shard I of N, 0 ≤ I < N), auto or auto/N", ErrSpec, value)
	}
	i, err := strconv.Atoi(is)
	if err != nil || i < 0 {
		return Spec{}, fmt.Errorf("%w %q: shard index %q is not a whole number ≥ 0 (want I/N, 0 ≤ I < N)", ErrSpec, value, is)
	}
	n, err := parseCount(ns, fmt.Sprintf("%q", value))
	if err != nil {
		return Spec{}, err
	}
	if i >= n {
		return Spec{}, fmt.Errorf("%w %q: shard index %d is not below the shard count %d (shards are numbered 0..%d)", ErrSpec, value, i, n, n-1)
	}
	return Spec{Index: i, Count: n}, nil
}

func parseCount(s, where string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > MaxCount {
		return 0, fmt.Errorf("%w %s: shard count %q is not a whole number from 1 to %d", ErrSpec, where, s, MaxCount)
	}
	return n, nil
}

func parseAuto(value string, flagCount int, getenv func(string) string) (Spec, error) {
	v := fmt.Sprintf("%q", value)
	if id := getenv(EnvSlurmTaskID); id != "" {
		i, err := strconv.Atoi(id)
		if err != nil || i < 0 {
			return Spec{}, fmt.Errorf("%w %s: %s=%q is not a whole number ≥ 0", ErrSpec, v, EnvSlurmTaskID, id)
		}
		if m := getenv(EnvSlurmTaskMin); m != "" {
			mi, err := strconv.Atoi(m)
			if err != nil || mi < 0 || mi > i {
				return Spec{}, fmt.Errorf("%w %s: %s=%q is not a whole number from 0 to %s=%d", ErrSpec, v, EnvSlurmTaskMin, m, EnvSlurmTaskID, i)
			}
			i -= mi
		}
		n := flagCount
		if c := getenv(EnvSlurmTaskCount); c != "" {
			cn, err := parseCount(c, v+": "+EnvSlurmTaskCount)
			if err != nil {
				return Spec{}, err
			}
			if n != 0 && n != cn {
				return Spec{}, fmt.Errorf("%w %s: shard count %d disagrees with %s=%d", ErrSpec, v, n, EnvSlurmTaskCount, cn)
			}
			n = cn
		}
		if n == 0 {
			return Spec{}, fmt.Errorf("%w %s: %s is set but %s is not; give the count as --shard auto/N", ErrSpec, v, EnvSlurmTaskID, EnvSlurmTaskCount)
		}
		if i >= n {
			return Spec{}, fmt.Errorf("%w %s: array task %d is not below %s=%d; submit the array as --array=0-%d", ErrSpec, v, i, EnvSlurmTaskCount, n, n-1)
		}
		return Spec{Index: i, Count: n}, nil
	}
	if idx := getenv(EnvJobIndex); idx != "" {
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 {
			return Spec{}, fmt.Errorf("%w %s: %s=%q is not a whole number ≥ 0", ErrSpec, v, EnvJobIndex, idx)
		}
		n := flagCount
		if c := getenv(EnvJobCount); c != "" {
			cn, err := parseCount(c, v+": "+EnvJobCount)
			if err != nil {
				return Spec{}, err
			}
			if n != 0 && n != cn {
				return Spec{}, fmt.Errorf("%w %s: shard count %d disagrees with %s=%d", ErrSpec, v, n, EnvJobCount, cn)
			}
			n = cn
		}
		if n == 0 {
			return Spec{}, fmt.Errorf("%w %s: %s is set but the shard count is not; set %s to the Job's completions or give --shard auto/N", ErrSpec, v, EnvJobIndex, EnvJobCount)
		}
		if i >= n {
			return Spec{}, fmt.Errorf("%w %s: %s=%d is not below the shard count %d", ErrSpec, v, EnvJobIndex, i, n)
		}
		return Spec{Index: i, Count: n}, nil
	}
	return Spec{}, fmt.Errorf("%w %s: neither %s (a Slurm array task) nor %s (a Kubernetes indexed Job) is set; give --shard I/N instead", ErrSpec, v, EnvSlurmTaskID, EnvJobIndex)
}

// TaskSeed is the seed of task k of a run seeded with seed: a SplitMix64 mix
// of the two, so it depends on nothing else (not the shard, not the machine)
// and neighbouring tasks get unrelated streams. A command whose tasks are
// already seeded by their number keeps its own scheme; this is for the ones
// that are not.
func TaskSeed(seed uint64, k int) uint64 {
	z := seed + uint64(k+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
