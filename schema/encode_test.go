package schema

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// sameAsEncodingJSON fails the test unless encodeEntity writes what
// encoding/json writes for e.
func sameAsEncodingJSON(t testing.TB, what string, e Entity) {
	t.Helper()
	want, wantErr := json.Marshal(e)
	got, gotErr := encodeEntity(e)
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("%s: encoding/json error %v, encodeEntity error %v", what, wantErr, gotErr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: encodeEntity differs from encoding/json\n got: %s\nwant: %s", what, got, want)
	}
}

// oddStrings are the values where JSON encoders differ.
var oddStrings = []string{
	"", "<p>Tom & Jerry's \"show\"</p>", "\u2028\u2029", "tab\tnl\ncr\r\x00\x1f\x7f", "caf\xc3\xa9 \xff\xfe broken \xc3",
	"\xed\xa0\x80 surrogate", "emoji 😀", "back\\slash /slash", "\ufeffbom", "\u0085 next line", strings64k(),
}

func strings64k() string { return string(bytes.Repeat([]byte("<a href=\"x\">&amp;</a> "), 3000)) }

var oddFloats = []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 1e-7, 1e-6, 123456789, 1e20, 1e21, 1.5e300, -2.5e-300, 5e-324,
	math.MaxFloat64, 0.1 + 0.2, 18.999999999999996, 3.0000000000000004, float64(1<<53) + 2}

func TestEncodeEntityMatchesEncodingJSON(t *testing.T) {
	for i := 0; i < 5; i++ {
		sameAsEncodingJSON(t, "fullService", fullService(i))
	}
	sameAsEncodingJSON(t, "empty service", &Service{})
	// Empty against nil slices, nil against zero pointers.
	s := fullService(2)
	s.Phones, s.NeedCodes, s.Languages = []Phone{}, []string{}, nil
	s.Organization = &Organization{}
	sameAsEncodingJSON(t, "empty slices", s)
	for _, str := range oddStrings {
		s := fullService(3)
		s.Name, s.Description, s.URL, s.AgeText = str, str, str, str
		s.NeedCodes = []string{str, "ASD"}
		s.Organization.Name = str
		sameAsEncodingJSON(t, "string "+str[:min(len(str), 20)], s)
		loc := &Location{ID: str, Name: str, Description: str}
		sameAsEncodingJSON(t, "location string", loc)
	}
	for _, f := range oddFloats {
		s := fullService(4)
		lo, hi := f, -f
		s.MinimumAge, s.MaximumAge = &lo, &hi
		sameAsEncodingJSON(t, "float", s)
	}
	for _, tm := range []time.Time{{}, time.Date(2026, 11, 30, 15, 4, 5, 123456789, time.UTC),
		time.Date(1999, 1, 2, 3, 4, 5, 0, time.FixedZone("", -(5*3600+30*60)))} {
		s := fullService(5)
		s.LastModified = &tm
		sameAsEncodingJSON(t, "time", s)
	}
}

// TestEncodeEntityOnGoldenRecords runs every golden record file in the
// repository (expected outputs of the transforms, gaps and collectors).
func TestEncodeEntityOnGoldenRecords(t *testing.T) {
	var files []string
	for _, pat := range []string{"../*/testdata/*/expected*.json", "../*/*/testdata/*/expected*.json", "../*/*/*/testdata/*/expected*.json"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	records := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var recs []*Record
		if json.Unmarshal(b, &recs) != nil {
			continue // not a record list
		}
		for i, r := range recs {
			if e := r.Entity(); e != nil {
				sameAsEncodingJSON(t, f+" record "+string(rune('0'+i%10)), e)
				records++
			}
		}
	}
	if records < 20 {
		t.Fatalf("only %d golden records found in %d files", records, len(files))
	}
	t.Logf("%d golden records in %d files", records, len(files))
}

func FuzzEncodeEntity(f *testing.F) {
	for i, s := range oddStrings[:len(oddStrings)-1] {
		f.Add(s, oddFloats[i%len(oddFloats)], int64(i)*1e15)
	}
	f.Fuzz(func(t *testing.T, str string, num float64, nanos int64) {
		if math.IsNaN(num) || math.IsInf(num, 0) {
			return // encoding/json refuses them; so does the schema
		}
		s := fullService(6)
		s.Name, s.Description, s.Email, s.Phones[0].Number = str, str, str, str
		s.Categories = []string{str}
		s.MinimumAge = &num
		tm := time.Unix(0, nanos).UTC()
		s.LastModified = &tm
		s.Organization.Description = str
		sameAsEncodingJSON(t, "fuzzed service", s)
		sameAsEncodingJSON(t, "fuzzed organisation", &Organization{ID: str, Name: str, Website: str})
	})
}

// fill sets every field reachable from v (pointers allocated, slices of
// two) to an odd value, so each kind's every field and nested type is encoded.
func fill(v reflect.Value, str string, num float64, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(str)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(num)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(num))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		if depth > 6 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), str, num, depth+1)
	case reflect.Slice:
		if depth > 6 {
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := 0; i < 2; i++ {
			fill(v.Index(i), str, num, depth+1)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 3, 4, 5, 6, 7, 8, time.FixedZone("", 3600))))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), str, num, depth+1)
			}
		}
	}
}

// Every kind with every field set, and with none.
func TestEncodeEntityEveryKindAndField(t *testing.T) {
	for _, k := range Kinds {
		sameAsEncodingJSON(t, string(k)+" empty", k.New())
		for i, str := range oddStrings[:len(oddStrings)-1] { // the 64 KB string only makes it slow
			e := k.New()
			fill(reflect.ValueOf(e).Elem(), str, oddFloats[i%len(oddFloats)], 0)
			sameAsEncodingJSON(t, string(k)+" filled", e)
		}
	}
}
