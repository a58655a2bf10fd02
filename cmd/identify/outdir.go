package main

import (
	"errors"

	"io/fs"
	"os"
	"path/filepath"

	"github.com/physid/physid/scenarios"
)

// checkOutFile checks, before any computation, that a result file can be
// written at path: its folder exists or can be made, and is writable, and
// path itself is not a folder. A read-only --out or one naming a folder used
// to be found only after the whole computation, losing its result. flagName
// names the flag in the message.
func checkOutFile(flagName, path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usagef("%s: %s is a folder; give a file name", flagName, path)
	}
	return checkOutDir(flagName, filepath.Dir(path))
}

// checkOutDir makes dir (and its parents) if needed and proves it writable by
// creating and removing a temporary file in it.
func checkOutDir(flagName, dir string) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return usagef("%s: %s exists and is not a folder", flagName, dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usagef("%s: cannot create %s: %v", flagName, dir, unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".identify-write-check-*")
	if err != nil {
		return usagef("%s: %s is not writable: %v", flagName, dir, unwrapPath(err))
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

// unwrapPath drops the path from an *fs.PathError, which the message names
// already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// maxTime is scenarios.MaxTime, the bound on every time a scenario names.
const maxTime = scenarios.MaxTime

// checkEndTime rejects a --t1 that the solver cannot reach: not a finite
// number, or beyond scenarios.MaxTime, where spans and steps overflow.
func checkEndTime(t1 float64) error {
	if t1 != t1 || t1 > maxTime || t1 < -maxTime {
		return usagef("--t1: %g is not a finite time within ±%g", t1, maxTime)
	}
	return nil
}
