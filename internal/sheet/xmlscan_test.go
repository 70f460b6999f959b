package sheet

import (
	"reflect"
	"strings"
	"testing"
)

// scanAll lists each tag as "<name a=v>" or "</name>" and the text before it.
func scanAll(t *testing.T, doc string) ([]string, error) {
	t.Helper()
	s := newXMLScanner(strings.NewReader(doc), 1<<10)
	var out []string
	for {
		var text []byte
		err := s.next(&text, 1<<10)
		if len(text) > 0 {
			out = append(out, "text:"+string(text))
		}
		if err != nil {
			return out, err
		}
		tag := "<"
		if s.end {
			tag += "/"
		}
		tag += string(s.local)
		for _, a := range s.attrs {
			tag += " " + string(a.local) + "=" + string(a.val)
		}
		if s.empty {
			tag += "/"
		}
		out = append(out, tag+">")
	}
}

func TestXMLScanner(t *testing.T) {
	doc := "<?xml version=\"1.0\"?>\r\n<x:row r=\"2\" spans='1:3'><!-- a > comment --><x:c r=\"A2\" t=\"inlineStr\"><is><t xml:space=\"preserve\">Tom &amp; Jerry &lt;3 &#233;&#xE9;\r\nline</t></is></x:c>" +
		"<c r=\"B2\" note=\"a > b\"/><c><v><![CDATA[5 & <6>]]></v></c></x:row>"
	got, err := scanAll(t, doc)
	if err.Error() != "EOF" {
		t.Fatalf("err = %v", err)
	}
	want := []string{"text:\n", "<row r=2 spans=1:3>", "<c r=A2 t=inlineStr>", "<is>", "<t space=preserve>",
		"text:Tom & Jerry <3 éé\nline", "</t>", "</is>", "</c>", "<c r=B2 note=a > b/>", "<c>", "<v>", "text:5 & <6>", "</v>", "</c>", "</row>"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestXMLScannerRefuses(t *testing.T) {
	for doc, want := range map[string]string{
		`<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>`: "DOCTYPE",
		`<x>&bogus;</x>`:      "unknown entity",
		`<x>fish & chips</x>`: "bare &",
		`<x a=1/>`:            "unquoted",
		`<x>` + strings.Repeat("y", 2000) + `</x>`:   "longer than",
		`<x a="` + strings.Repeat("y", 2000) + `"/>`: "longer than",
		`<x a="1"`: "unexpected EOF",
	} {
		_, err := scanAll(t, doc)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.40s…: err = %v, want %q", doc, err, want)
		}
	}
}
