package scenarios

import (
	"errors"
	"os"
	"testing"
)

// FuzzLoad: the loader never panics; it either returns an *Error or a
// scenario whose shapes fit its model, from which a problem can be built.
// The CSV argument is the content of any file the scenario names.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"toy_exponential.toml", "van_der_pol.toml"} {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src), "")
	}
	f.Add("[system]\nkind = \"vanderpol\"\n[[parameters]]\nname = \"mu\"\ninit = 1\n[initial_state]\nz0 = [1, 0]\n[data]\nfile = \"o.csv\"\n",
		"t,x,v\n1,2,3\n")
	f.Fuzz(func(t *testing.T, src, csv string) {
		open := func(name string) (string, []byte, error) { return name, []byte(csv), nil }
		sc, err := parse("f.toml", []byte(src), open)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%v is not a *Error", err)
			}
			if e.Error() == "" {
				t.Fatal("empty message")
			}
			return
		}
		dim, np := sc.Model.Dim(), sc.Model.NumParams()
		if len(sc.Z0) != dim || len(sc.Params) != np || len(sc.Times) == 0 ||
			len(sc.Values) != len(sc.Times)*len(sc.Observed) {
			t.Fatalf("inconsistent scenario: %+v", sc)
		}
		if _, err := sc.Problem(); err != nil {
			t.Fatal(err)
		}
		if _, err := sc.Method(); err != nil {
			t.Fatal(err)
		}
	})
}
