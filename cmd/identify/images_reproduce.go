package main

import (
	"errors"
	"io"
)

// reproduceImages runs the reduced Tables 2-3 experiment (identify reproduce images).
func reproduceImages(dir string, stdout, stderr io.Writer) error {
	return runtimeError{errors.New("reproduce images: not implemented yet")}
}
