package csvio_test

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/physid/physid/internal/csvio"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadTable(t *testing.T) {
	in := "\ufefft, x , \"v\"\n# a comment\n\n0.5, 1.25, -3\n1,2e-3,  4\n"
	tab, err := csvio.Read(strings.NewReader(in), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"t", "x", "v"}, tab.Header)
	assert.Equal(t, [][]float64{{0.5, 1.25, -3}, {1, 2e-3, 4}}, tab.Rows)
	assert.Equal(t, []int{4, 5}, tab.Lines)
	assert.Equal(t, 2, tab.Index("v"))
	assert.Equal(t, -1, tab.Index("y"))
	col, ok := tab.Column("x")
	require.True(t, ok)
	assert.Equal(t, []float64{1.25, 2e-3}, col)
	_, ok = tab.Column("nope")
	assert.False(t, ok)
}

func TestReadHeaderOnly(t *testing.T) {
	tab, err := csvio.Read(strings.NewReader("t,z\n"), nil)
	require.NoError(t, err)
	assert.Empty(t, tab.Rows)
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		line     int
		column   string
		msg      string
	}{
		{"empty", "", 1, "", "empty file"},
		{"blank header name", "t,,x\n", 1, "", "column 2 has no name"},
		{"duplicate header", "t,x,x\n", 1, "x", "duplicate"},
		{"too few fields", "t,x\n1,2\n3\n", 3, "", "1 fields, want 2"},
		{"too many fields", "t,x\n1,2,3\n", 2, "", "3 fields, want 2"},
		{"not a number", "t,x\n1,2\n\n2,abc\n", 4, "x", `"abc" is not a number`},
		{"digit separator", "t,x\n1,1_000\n", 2, "x", `"1_000" is not a number`},
		{"hex float", "t,x\n0x1p-1,1\n", 2, "t", `"0x1p-1" is not a number`},
		{"hex integer", "t,x\n1,0x10\n", 2, "x", `"0x10" is not a number`},
		{"bare exponent", "t,x\n1,1e\n", 2, "x", `"1e" is not a number`},
		{"lone dot", "t,x\n1,.\n", 2, "x", `"." is not a number`},
		{"double sign", "t,x\n1,--1\n", 2, "x", `"--1" is not a number`},
		{"nan", "t,x\n1,NaN\n", 2, "x", "not finite"},
		{"inf", "t,x\n1,-Inf\n", 2, "x", "not finite"},
		{"overflow", "t,x\n1e999,1\n", 2, "t", "not finite"},
		{"bad quote", "t,x\n1,\"2\n", 2, "", "quote"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := csvio.Read(strings.NewReader(tc.in), nil)
			var e *csvio.Error
			require.True(t, errors.As(err, &e), "got %v", err)
			assert.Equal(t, tc.line, e.Line)
			assert.Equal(t, tc.column, e.Column)
			assert.Contains(t, e.Error(), tc.msg)
		})
	}
}

// TestDecimalNumbers lists the spellings Read accepts, against their values.
func TestDecimalNumbers(t *testing.T) {
	for in, want := range map[string]float64{
		"12": 12, "-0.5": -0.5, "+.25": 0.25, "3.": 3, "3e-4": 3e-4, "1E+2": 100, "-0": 0, "007": 7,
	} {
		tab, err := csvio.Read(strings.NewReader("x\n"+in+"\n"), nil)
		require.NoError(t, err, in)
		assert.Equal(t, want, tab.Rows[0][0], in)
	}
}

func TestAllowNonFinite(t *testing.T) {
	tab, err := csvio.Read(strings.NewReader("a,b\nnan,inf\n"), &csvio.Options{AllowNonFinite: true})
	require.NoError(t, err)
	assert.True(t, math.IsNaN(tab.Rows[0][0]))
	assert.True(t, math.IsInf(tab.Rows[0][1], 1))
}

func TestWriteReadRoundTrip(t *testing.T) {
	header := []string{"t", "x", "a,b"}
	rows := [][]float64{{0, 1.0 / 3, -2e-300}, {0.1, math.Pi, 1e300}}
	var buf bytes.Buffer
	require.NoError(t, csvio.Write(&buf, header, rows))
	assert.True(t, strings.HasPrefix(buf.String(), "t,x,\"a,b\"\n"))
	tab, err := csvio.Read(&buf, nil)
	require.NoError(t, err)
	assert.Equal(t, header, tab.Header)
	assert.Equal(t, rows, tab.Rows, "shortest repr reads back exactly")
}

func TestWriteRowLength(t *testing.T) {
	err := csvio.Write(&bytes.Buffer{}, []string{"a", "b"}, [][]float64{{1}})
	assert.ErrorContains(t, err, "row 0 has 1 values for 2 columns")
}

// FuzzReadCSV: Read never panics, and whatever it accepts has rectangular
// rows and writes back to an equal table.
func FuzzReadCSV(f *testing.F) {
	f.Add("t,x,v\n0.5,1,2\n1,3,4\n")
	f.Add("t\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		tab, err := csvio.Read(strings.NewReader(in), nil)
		if err != nil {
			var e *csvio.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a *csvio.Error", err)
			}
			return
		}
		for i, row := range tab.Rows {
			if len(row) != len(tab.Header) {
				t.Fatalf("row %d has %d values for %d columns", i, len(row), len(tab.Header))
			}
		}
		var buf bytes.Buffer
		if err := csvio.Write(&buf, tab.Header, tab.Rows); err != nil {
			t.Fatal(err)
		}
		written := buf.String()
		back, err := csvio.Read(&buf, nil)
		if err != nil {
			t.Fatalf("re-reading written table: %v\n%q", err, written)
		}
		if len(back.Rows) != len(tab.Rows) || strings.Join(back.Header, "\x00") != strings.Join(tab.Header, "\x00") {
			t.Fatalf("round trip changed the table: %q", written)
		}
	})
}
