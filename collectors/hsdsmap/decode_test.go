package hsdsmap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/internal/orukgen"
	"github.com/localoffer/localoffer/internal/sharedtest"
)

// sameDecode decodes a page with the fast reader and with encoding/json and
// reports any difference: the values, whether each failed, and for a
// wrong-typed value the field and message.
func sameDecode(b []byte) error {
	fast, ferr := decodePage[Service](b)
	std, serr := decodePageStd[Service](b)
	var ffe, sfe *FieldError
	fField, sField := errors.As(ferr, &ffe), errors.As(serr, &sfe)
	switch {
	case (ferr == nil) != (serr == nil):
		return fmt.Errorf("fast err %v, encoding/json err %v", ferr, serr)
	case fField != sField:
		return fmt.Errorf("fast err %v, encoding/json err %v (one a field error)", ferr, serr)
	case fField && *ffe != *sfe:
		return fmt.Errorf("field error %+v, encoding/json %+v", *ffe, *sfe)
	case ferr != nil && !fField && (errors.Is(ferr, ErrNotJSON) != errors.Is(serr, ErrNotJSON) || errors.Is(ferr, ErrNotList) != errors.Is(serr, ErrNotList)):
		return fmt.Errorf("fast err %v, encoding/json err %v", ferr, serr)
	}
	scrubNaN(reflect.ValueOf(fast))
	scrubNaN(reflect.ValueOf(std))
	if !reflect.DeepEqual(fast, std) {
		fj, _ := json.Marshal(fast)
		sj, _ := json.Marshal(std)
		return fmt.Errorf("pages differ:\nfast %s\nstd  %s", fj, sj)
	}
	return nil
}

// scrubNaN sets every NaN to -1, so DeepEqual can compare values holding NaN
// (a Num given "NaN").
func scrubNaN(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			scrubNaN(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			scrubNaN(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			scrubNaN(v.Field(i))
		}
	case reflect.Float64:
		if f := v.Float(); f != f && v.CanSet() {
			v.SetFloat(-1)
		}
	}
}

// corpus is every real and realistic page at hand: the real council
// records (as bare arrays and as pages), the benchmark's generated pages,
// the golden inputs and the HSDS and ORUK conformance examples.
func corpus(t testing.TB) map[string][]byte {
	t.Helper()
	docs := map[string][]byte{}
	for _, council := range []string{"bristol", "north-lincolnshire"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "cmd", "localoffer", "testdata", "realworld", council, "services.json"))
		if err != nil {
			t.Fatal(err)
		}
		docs[council+" bare"] = b
		docs[council+" page"] = append(append([]byte(`{"totalElements":150,"content":`), b...), '}')
	}
	g, err := orukgen.Load(filepath.Join("..", "..", "cmd", "localoffer", "testdata", "realworld", "north-lincolnshire", "services.json"))
	if err != nil {
		t.Fatal(err)
	}
	docs["generated"] = g.Page(3, 20, 100)
	dirs, _ := filepath.Glob("testdata/*/input.json")
	for _, p := range dirs {
		b, _ := os.ReadFile(p)
		docs[p] = append(append([]byte(`{"contents":[`), b...), ']', '}')
	}
	if dir := sharedtest.Dir(t); dir != "" {
		for _, p := range []string{"hsds-3.0/examples/service_list.json", "hsds-3.0/examples/service_full.json",
			"oruk-validator-mocks/V3.0-UK-Default/service_list.json", "oruk-validator-mocks/V3.0-UK-Fail/service_list.json",
			"oruk-validator-mocks/V3.0-UK-Fail/service_full.json"} {
			if b, err := os.ReadFile(filepath.Join(dir, "conformance", p)); err == nil {
				if !bytes.Contains(b, []byte(`"contents"`)) {
					b = append(append([]byte(`{"contents":[`), b...), ']', '}')
				}
				docs[p] = b
			}
		}
	}
	return docs
}

func TestFastDecodeMatchesEncodingJSON(t *testing.T) {
	for name, b := range corpus(t) {
		if err := sameDecode(b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Every field of every served type, set to a distinct value, decodes as
// encoding/json decodes it (a tag the fast reader missed would stay empty).
func TestFastDecodeCoversEveryField(t *testing.T) {
	n := 0
	var fill func(t reflect.Type, depth int) any
	fill = func(t reflect.Type, depth int) any {
		switch {
		case t == reflect.TypeFor[Str]():
			n++
			return fmt.Sprintf("v%d é \"q\" \u2028", n)
		case t == reflect.TypeFor[Num]():
			n++
			return n
		case t == reflect.TypeFor[Flag]():
			return "true"
		case t == reflect.TypeFor[json.RawMessage]():
			return []any{map[string]any{"id": "Homeless"}}
		case t.Kind() == reflect.Pointer:
			return fill(t.Elem(), depth)
		case t.Kind() == reflect.Slice:
			return []any{fill(t.Elem(), depth), nil}
		case t.Kind() == reflect.Struct:
			obj := map[string]any{}
			if depth > 4 {
				return obj
			}
			for i := range t.NumField() {
				f := t.Field(i)
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				obj[name] = fill(f.Type, depth+1)
			}
			return obj
		}
		panic(t.String())
	}
	svc := fill(reflect.TypeFor[Service](), 0)
	b, _ := json.Marshal(map[string]any{"total_items": 1, "contents": []any{svc}})
	if err := sameDecode(b); err != nil {
		t.Fatal(err)
	}
	p, _ := decodePage[Service](b)
	if p.Items[0].ServiceAtLocations[0].Location.Addresses[0].PostalCode == "" || p.Items[0].PCTargetAudience == nil {
		t.Fatal("nested fields not decoded")
	}
	// Upper-case member names match as encoding/json matches them.
	up := bytes.ToUpper(b)
	if err := sameDecode(up); err != nil {
		t.Fatal(err)
	}
}

// Odd and hostile documents: wrong types everywhere, escapes, invalid
// UTF-8, duplicates, nulls, bad syntax, deep nesting.
func TestFastDecodeOddInputs(t *testing.T) {
	cases := []string{
		`{"contents":[{"id":1,"name":true,"phones":"023 9268 1000","organization":"x","minimum_age":"5 years","maximum_age":"19"}]}`,
		`{"contents":[{"id":"1","phones":[{"number":"1"},"x",null,[1],{"number":"2"}],"organization":[1,2],"service_at_locations":{"id":"s"}}]}`,
		`{"contents":[{"id":"1","organization":{"id":"o"},"organization":{"name":"n"},"phones":[{"id":"a","number":"1"}],"phones":[{"id":"b"}]}]}`,
		`{"contents":[{"id":"1","organization":{"id":"o"},"organization":null,"phones":null,"schedules":[]}]}`,
		`{"contents":[{"id":"\u00e9\ud83d\ude00\ud800x\\\/\b\f\n\r\t","name":"caf\xe9 \xff","description":"<p>a&amp;b</p>"}]}`,
		`{"contents":[{"ID":"1","Name":"upper","NAME":"x","pc_targetaudience":[1],"PC_TARGETAUDIENCE":{"a":1}}]}`,
		`{"contents":[{"id":"1","\u006eame":"escaped key","\u017ftatus":"long s","\u212a":"kelvin"}]}`,
		`{"contents":[{"id":"1"}],"contents":[]}`,
		`{"contents":null,"content":[{"id":"v1"}],"totalElements":"3","totalPages":2,"number":0,"first":"TRUE","last":1}`,
		`{"contents":"nope"}`,
		`{"contents":[{"id":"1"}]} trailing`,
		`{"contents":[{"id":"1",}]}`,
		`{"contents":[{"id":"1"}`,
		`{"contents":[{"id":"1","x":01}]}`,
		`{"contents":[{"id":"1","x":-}]}`,
		`{"contents":[{"id":"1","x":1.}]}`,
		`{"contents":[{"id":"1","x":1e+}]}`,
		`{"contents":[{"id":"1","x":tru}]}`,
		`{"contents":[{"id":"1","x":"a` + "\x01" + `"}]}`,
		`{"contents":[{"id":"1","x":"\x"}]}`,
		`{"contents":[{"id":"1","x":"\u12"}]}`,
		`{"contents":[{"id":"1","minimum_age":{"a":[1,{"b":null}]},"maximum_age":[],"email":{"x":1}}]}`,
		`{"contents":[{"id":"1","pc_targetAudience":null}]}`,
		`{"contents":[{"id":"1","pc_targetAudience":"Homeless"}]}`,
		`[{"id":"1"},"x",{"phones":3}]`, `[{"phones":""}]0`,
		`[]`, `{}`, `{"data":[]}`, `   `, `<html><title>Sign in</title></html>`, "\xEF\xBB\xBF{\"contents\":[]}",
		`{"contents":[` + strings.Repeat(`[`, 20000) + strings.Repeat(`]`, 20000) + `]}`,
		`{"contents":[{"id":"1","x":` + strings.Repeat(`{"a":`, 10001) + `1` + strings.Repeat(`}`, 10001) + `}]}`,
	}
	for _, c := range cases {
		if err := sameDecode([]byte(c)); err != nil {
			t.Errorf("%.80s: %v", c, err)
		}
	}
}

// Random damage to real pages (a byte changed, removed or duplicated, the
// page cut short, a value swapped for another type): the fast reader and
// encoding/json agree on every one.
func TestFastDecodeDamagedPages(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	swaps := []string{`"x"`, `1`, `null`, `true`, `[]`, `{}`, `[1]`, `{"id":2}`, `"\u00e9"`}
	n := 0
	for name, b := range corpus(t) {
		if len(b) > 200_000 {
			b = b[:200_000]
		}
		for i := 0; i < 150; i++ {
			m := bytes.Clone(b)
			switch k := rng.IntN(len(m)); i % 5 {
			case 0:
				const bytesToTry = "{}[]\",:\\ 0a-\xff"
				m[k] = bytesToTry[rng.IntN(len(bytesToTry))]
			case 1:
				m = append(m[:k], m[k+1:]...)
			case 2:
				m = append(m[:k], append([]byte{m[k]}, m[k:]...)...)
			case 3:
				m = m[:k]
			case 4:
				// Replace the value after a member name with another type.
				at := bytes.Index(m[k:], []byte(`":`))
				if at < 0 {
					continue
				}
				at += k + 2
				d := &dec{b: m, i: at}
				d.skip()
				if d.err != nil {
					continue
				}
				m = append(m[:at], append([]byte(swaps[rng.IntN(len(swaps))]), m[d.i:]...)...)
			}
			n++
			if err := sameDecode(m); err != nil {
				t.Fatalf("%s variant %d: %v\n%.300s", name, i, err, m)
			}
		}
	}
	if n < 500 {
		t.Fatalf("only %d variants checked", n)
	}
}

// DecodeService and DecodeObject keep json.Unmarshal's and json.Decoder's
// rules for what may follow the object.
func TestDecodeServiceTopLevel(t *testing.T) {
	for _, c := range []string{`{"id":"1"}`, `{"id":"1"} x`, `{"id":"1"}   `, `null`, `"x"`, `[1]`, ``, `{"phones":"x"}`} {
		var fast, std Service
		ferr := DecodeService([]byte(c), &fast)
		serr := typeErrorOnly(json.Unmarshal([]byte(c), &std))
		if (ferr == nil) != (serr == nil) || isFieldError(ferr) != isFieldError(serr) || !reflect.DeepEqual(fast, std) {
			t.Errorf("%q: fast %v %+v, encoding/json %v %+v", c, ferr, fast, serr, std)
		}
		var fo, so Service
		ferr = DecodeObject(strings.NewReader(c), &fo)
		serr = decodeObjectStd(c, &so)
		if (ferr == nil) != (serr == nil) || isFieldError(ferr) != isFieldError(serr) || !reflect.DeepEqual(fo, so) {
			t.Errorf("DecodeObject %q: fast %v, encoding/json %v", c, ferr, serr)
		}
	}
}

func decodeObjectStd(s string, v any) error {
	b, err := sniffBytes([]byte(s))
	if err != nil {
		return err
	}
	return typeErrorOnly(json.NewDecoder(bytes.NewReader(b)).Decode(v))
}

func FuzzFastDecode(f *testing.F) {
	for _, b := range corpus(f) {
		if len(b) < 20_000 {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"contents":[{"id":1,"phones":"x","organization":{"id":"o","locations":[{"addresses":[{"postal_code":"PO1"}]}]}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := sameDecode(b); err != nil {
			t.Fatal(err)
		}
	})
}

// Timestamp's bare-date shortcut gives what the layouts in order give.
func TestTimestampBareDate(t *testing.T) {
	slow := func(s string) (time.Time, bool) {
		s = strings.TrimSpace(s)
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t.UTC(), true
			}
		}
		return time.Time{}, false
	}
	for _, s := range []string{"2023-04-13", " 2023-04-13 ", "2023-02-30", "2023-4-13x", "abcd-ef-gh", "2023-04-13T10:00:00Z", "2023-04-1", "0000-01-01"} {
		got, ok := Timestamp(s)
		want, wok := slow(s)
		if ok != wok || !got.Equal(want) {
			t.Errorf("Timestamp(%q) = %v %v, layouts in order give %v %v", s, got, ok, want, wok)
		}
	}
}

// A page decoded into the array a released page handed back is what a
// fresh decode gives: nothing of the earlier page's services shows through
// (fields the new ones lack, items beyond the new count), and a page whose
// contents is missing, null or not a list is told apart as before.
func TestReleasedPageArrayReused(t *testing.T) {
	full := []byte(`{"total_items":3,"contents":[` +
		`{"id":"a","name":"A","description":"<p>long</p>","email":"a@x.org","phones":[{"id":"p","number":"01"}],"organization":{"id":"o","name":"O"}},` +
		`{"id":"b","name":"B","description":"two","service_at_locations":[{"id":"s","location":{"id":"l","name":"L"}}]},` +
		`{"id":"c","name":"C","status":"active"}]}`)
	sparse := []byte(`{"total_items":2,"contents":[{"id":"x","name":"X"},{"id":"y"}]}`)
	fresh := func(b []byte) *Page[Service] {
		t.Helper()
		p, err := decodePage[Service](b)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	want := fresh(sparse)
	for range 3 {
		p := fresh(full)
		p.Release()
		if p.Items != nil {
			t.Fatal("Release left the items")
		}
		got := fresh(sparse)
		if !reflect.DeepEqual(got.Items, want.Items) {
			t.Fatalf("decoded into a released array:\n got %+v\nwant %+v", got.Items, want.Items)
		}
		got.Release()
	}
	// Whether the list was there decides the page as before.
	fresh(full).Release()
	for _, c := range []struct {
		body  string
		list  bool
		items int
	}{
		{`{"total_items":0,"contents":[]}`, true, 0},
		{`{"total_items":0,"contents":null}`, false, 0},
		{`{"total_items":0}`, false, 0},
		{`{"content":[{"id":"v1"}]}`, true, 1},
	} {
		p, err := decodePage[Service]([]byte(c.body))
		if (err == nil) != c.list {
			t.Errorf("%s: err %v", c.body, err)
		}
		if err == nil && len(p.Items) != c.items {
			t.Errorf("%s: %d items", c.body, len(p.Items))
		}
		if p != nil {
			p.Release()
		}
	}
}
