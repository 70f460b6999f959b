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

// Rows of every length after Select: a cell a longer row filled must not
// show through in a shorter or a later row, unselected cells stay empty,
// and cells past the header are still read (the ragged-row warning).
func TestSelectRaggedRowsLeaveNoStaleCells(t *testing.T) {
	rows := []string{"1,a,b,c,d,e,f", "2,g", "3,h,i,j", "4", "5,k,l,m,n", "6,o,p,q", ",,,", "7,r,s,t"}
	csv := "id,x,y,z\r\n" + strings.Repeat("0,filler,y,z\r\n", headerScan+2) + strings.Join(rows, "\r\n") + "\r\n"
	p := writeFile(t, "ragged.csv", []byte(csv))
	var warns []string
	r, err := Open(p, Options{Warn: func(line int, msg string) { warns = append(warns, msg) }})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Select([]int{0, 2})
	var got []string
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.Line() > headerScan+3 {
			got = append(got, strings.Join(row, "|"))
		}
	}
	want := []string{"1||b|", "2|||", "3||i|", "4|||", "5||l|", "6||p|", "7||s|"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("rows %q, want %q", got, want)
	}
	var extra int
	for _, w := range warns {
		if strings.Contains(w, "extra cells ignored") {
			extra++
		}
	}
	if extra != 2 {
		t.Errorf("warnings %q: want the two long rows named", warns)
	}
}
