// Package csvio reads and writes numeric tables as CSV with a header row: the
// format of observation files and of the trajectories physid writes.
//
// A table is one header line of distinct, non-empty column names followed by
// rows of numbers, one per column. Blank lines and lines starting with '#' are
// skipped; fields may be quoted and have spaces around them. Every error
// names the line (1-based, as an editor shows it) and, where there is one, the
// column.
package csvio

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Table is a header and rows of numbers.
type Table struct {
	// Header holds the column names, in file order.
	Header []string
	// Rows holds the values, len(Header) per row.
	Rows [][]float64
	// Lines holds the line on which each row starts, for error messages.
	Lines []int
}

// Error is a problem at a line of the input.
type Error struct {
	// Line is the 1-based line (0 when the input ended early).
	Line int
	// Column is the column's name ("" for problems with a whole row or the header).
	Column string
	// Msg says what is wrong.
	Msg string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, "column %q: ", e.Column)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Options change what Read accepts. The zero value is strict.
type Options struct {
	// AllowNonFinite accepts NaN and ±Inf values; by default they are errors.
	AllowNonFinite bool
}

// Read reads a table; the error, if any, is an *Error.
func Read(r io.Reader, opts *Options) (*Table, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1 // checked below, with a clearer message
	cr.ReuseRecord = true

	rec, err := cr.Read()
	if err == io.EOF {
		return nil, &Error{Line: 1, Msg: "empty file: want a header line of column names"}
	}
	if err != nil {
		return nil, csvError(err)
	}
	t := &Table{Header: make([]string, len(rec))}
	line, _ := cr.FieldPos(0)
	seen := make(map[string]bool, len(rec))
	for i, f := range rec {
		if i == 0 {
			f = strings.TrimPrefix(f, "\ufeff") // byte-order mark of spreadsheet exports
		}
		name := strings.TrimSpace(f)
		switch {
		case name == "":
			return nil, &Error{Line: line, Msg: fmt.Sprintf("header: column %d has no name", i+1)}
		case strings.ContainsAny(name, "\r\n"):
			// A quoted name may span lines; no column physid reads can, and
			// a CSV writer could not reproduce the line break exactly.
			return nil, &Error{Line: line, Msg: fmt.Sprintf("header: column %d name %q contains a line break", i+1, name)}
		case strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' && r != '\t' }):
			return nil, &Error{Line: line, Msg: fmt.Sprintf("header: column %d name %q contains a non-printing character", i+1, name)}
		case seen[name]:
			return nil, &Error{Line: line, Column: name, Msg: "header: duplicate column name"}
		}
		seen[name] = true
		t.Header[i] = name
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(t.Header) {
			return nil, &Error{Line: line, Msg: fmt.Sprintf("%d fields, want %d (%s)", len(rec), len(t.Header), strings.Join(t.Header, ","))}
		}
		row := make([]float64, len(rec))
		for i, f := range rec {
			s := strings.TrimSpace(f)
			v, err := parseNumber(s)
			if err != nil {
				return nil, &Error{Line: line, Column: t.Header[i], Msg: fmt.Sprintf("%q is not a number (allowed: decimal numbers such as 12, -0.5, 3e-4)", s)}
			}
			if !o.AllowNonFinite && (math.IsNaN(v) || math.IsInf(v, 0)) {
				return nil, &Error{Line: line, Column: t.Header[i], Msg: fmt.Sprintf("%q is not finite", s)}
			}
			row[i] = v
		}
		t.Rows = append(t.Rows, row)
		t.Lines = append(t.Lines, line)
	}
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{Line: pe.Line, Msg: pe.Err.Error()}
	}
	return &Error{Msg: err.Error()}
}

// Index returns the position of the named column, or −1.
func (t *Table) Index(name string) int {
	for i, h := range t.Header {
		if h == name {
			return i
		}
	}
	return -1
}

// Column returns a copy of the named column's values and whether it exists.
func (t *Table) Column(name string) ([]float64, bool) {
	j := t.Index(name)
	if j < 0 {
		return nil, false
	}
	col := make([]float64, len(t.Rows))
	for i, row := range t.Rows {
		col[i] = row[j]
	}
	return col, true
}

// Write writes header and rows as CSV; values use the shortest representation
// that reads back exactly. Every row must have len(header) values.
func Write(w io.Writer, header []string, rows [][]float64) error {
	cw := csv.NewWriter(w)
	rest := header
	if len(header) > 0 && strings.HasPrefix(header[0], "#") {
		// csv.Writer leaves a leading '#' bare, and Read would then skip
		// the header as a comment line: quote the first name by hand.
		bw := bufio.NewWriter(w)
		bw.WriteString(`"` + strings.ReplaceAll(header[0], `"`, `""`) + `"`)
		if len(header) > 1 {
			bw.WriteByte(',')
		} else {
			bw.WriteByte('\n')
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		rest = rest[1:]
	}
	if len(rest) > 0 {
		if err := cw.Write(rest); err != nil {
			return err
		}
	}
	rec := make([]string, len(header))
	for i, row := range rows {
		if len(row) != len(header) {
			return fmt.Errorf("csvio: row %d has %d values for %d columns", i, len(row), len(header))
		}
		for j, v := range row {
			rec[j] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// parseNumber reads a decimal floating-point number: an optional sign, digits
// with an optional decimal point, and an optional exponent (12, -0.5, .5,
// 3e-4), or nan, inf, +inf, -inf and infinity in any case, which Read then
// rejects unless non-finite values are allowed. It refuses what
// strconv.ParseFloat accepts beyond that (hexadecimal floats such as 0x1p-1,
// digit separators such as 1_000), which no spreadsheet writes and which
// would silently mean something else to the user. Magnitudes beyond float64
// become ±Inf.
func parseNumber(s string) (float64, error) {
	if !isDecimal(s) && !isNonFinite(s) {
		return 0, strconv.ErrSyntax
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, err
	}
	return v, nil
}

// isDecimal reports whether s is [+-]digits[.digits][(e|E)[+-]digits] with at
// least one digit in the mantissa.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// isNonFinite reports whether s spells NaN or an infinity, with at most one sign.
func isNonFinite(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	switch strings.ToLower(s) {
	case "nan", "inf", "infinity":
		return true
	}
	return false
}
