package main

import (
	"errors"
	"io"
)

// imagesICC is `identify images icc`: runs models per architecture trained with
// different seeds and their test-retest reliability (paper Table 3).
func imagesICC(o imagesOptions, runs int, stdout, stderr io.Writer) error {
	return runtimeError{errors.New("images icc: not implemented yet")}
}
