package scenarios

import (
	"fmt"
	"strings"
)

// Error is a mistake in a scenario file or in a file it names, formatted
//
//	FILE:LINE: FIELD: problem (allowed: ...)
//
// The line is left out when it cannot be determined (a missing table, say),
// and the allowed values when there is no short list of them. Callers branch
// with errors.As; the command line exits with status 2 on it.
type Error struct {
	// File is the scenario file, or the CSV file it names.
	File string
	// Line is the 1-based line, 0 when unknown.
	Line int
	// Field is the dotted path of the offending key, such as "solver.rtol",
	// "parameters[1].init" or "data.z[3]" (0-based indices).
	Field string
	// Problem says what is wrong.
	Problem string
	// Allowed lists the accepted values or keys, if there is a short list.
	Allowed []string
	// Err is the underlying error, if any (a file that cannot be read).
	Err error
}

// Unwrap returns the underlying error, so errors.Is(err, fs.ErrNotExist) works.
func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	if len(e.Allowed) > 0 {
		fmt.Fprintf(&b, " (allowed: %s)", strings.Join(e.Allowed, ", "))
	}
	return b.String()
}
