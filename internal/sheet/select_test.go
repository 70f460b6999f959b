package sheet

import (
	"io"
	"reflect"
	"strings"
	"testing"
)

// Select fills only the chosen columns, decodes them like a full read, keeps
// judging blank rows and ragged rows on every cell, and reuses its row.
func TestSelect(t *testing.T) {
	// Past the rows read ahead to find the header, so the selective path runs.
	csv := "id,name,town,note\r\n" + strings.Repeat("0,filler,Fratton,n\r\n", headerScan+5) +
		"1,St Mary\x92s,Portsmouth,x\r\n" + // cp1252 apostrophe in a selected cell
		",,,only the note\r\n" + // text only in an unselected cell: a row, not blank
		" , ,\xa0, \r\n" + // white space and a cp1252 no-break space: blank
		"3,Caf\xe9,Southsea\r\n" + // short: padded
		"4,B,C,D,extra\r\n" // long: warned
	p := writeFile(t, "s.csv", []byte(csv))
	full := func() ([][]string, []string) {
		var warns []string
		r, err := Open(p, Options{Warn: func(line int, msg string) { warns = append(warns, msg) }})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		rows, _ := readAll(t, r)
		return rows, warns
	}
	wantRows, wantWarns := full()
	var warns []string
	r, err := Open(p, Options{Warn: func(line int, msg string) { warns = append(warns, msg) }})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Select([]int{1, 2})
	var got [][]string
	var prev []string
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.Line() > headerScan+10 {
			if prev != nil && &row[0] != &prev[0] {
				t.Errorf("line %d: selected rows are not reused", r.Line())
			}
			prev = row
		}
		got = append(got, append([]string(nil), row...))
	}
	if len(got) != len(wantRows) || len(got) != headerScan+5+4 {
		t.Fatalf("rows = %q; want as many as a full read: %q", got, wantRows)
	}
	for i := range got {
		// Unselected cells may hold their text (rows read ahead) or be empty.
		if got[i][1] != wantRows[i][1] || got[i][2] != wantRows[i][2] || (i > headerScan+5 && got[i][0]+got[i][3] != "") {
			t.Errorf("row %d = %q, want %q in columns 1 and 2", i, got[i], wantRows[i])
		}
	}
	tail := got[headerScan+5:]
	if tail[0][1] != "St Mary\u2019s" || tail[2][1] != "Café" || tail[1][1] != "" {
		t.Errorf("decoding: %q", tail)
	}
	if !reflect.DeepEqual(warns, wantWarns) || len(warns) != 2 {
		t.Errorf("warnings %q, want %q", warns, wantWarns)
	}
}
