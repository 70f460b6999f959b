package dictionary_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/sinks/warehouse/dictionary"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

func TestDictionaryComesFromTheWarehouse(t *testing.T) {
	w := whtest.New(t)
	ctx := context.Background()
	tables, err := dictionary.Load(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]dictionary.Table{}
	for _, tb := range tables {
		byName[tb.Name] = tb
	}
	for _, name := range []string{"services", "services_current", "flags_current", "gaps", "quarantine", "runs"} {
		tb, ok := byName[name]
		if !ok {
			t.Errorf("%s missing from the dictionary", name)
			continue
		}
		if len(tb.Columns) == 0 {
			t.Errorf("%s has no columns", name)
		}
	}
	if byName["services_current"].Kind() != "view" || byName["services"].Kind() != "table" {
		t.Errorf("kinds: %s %s", byName["services_current"].Kind(), byName["services"].Kind())
	}
	var minAge dictionary.Column
	for _, c := range byName["services"].Columns {
		if c.Name == "min_age" {
			minAge = c
		}
	}
	if minAge.Type != "Nullable(Float64)" || !strings.Contains(minAge.Comment, "youngest age served") {
		t.Errorf("services.min_age = %+v", minAge)
	}

	// A comment written later is what the dictionary shows: it is read, not copied.
	if err := w.Exec(ctx, "CREATE TABLE odd (`x|y` String COMMENT '<b>bold</b> | pipe') ENGINE = Memory COMMENT 'a <script>alert(1)</script> table'"); err != nil {
		t.Fatal(err)
	}
	tables, err = dictionary.Load(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	var text, md, html bytes.Buffer
	if err := dictionary.WriteText(&text, tables); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "odd (table, Memory)") || !strings.Contains(text.String(), "youngest age served") {
		t.Errorf("text:\n%s", text.String())
	}
	if err := dictionary.WriteMarkdown(&md, "Warehouse", tables); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| x\\|y | `String` | &lt;b>bold&lt;/b> \\| pipe |") {
		t.Errorf("markdown row for odd:\n%s", md.String())
	}
	if err := dictionary.WriteHTML(&html, "Warehouse", tables); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html.String(), "<script>") || !strings.Contains(html.String(), "&lt;script&gt;") {
		t.Errorf("HTML does not escape comments")
	}
	rec := httptest.NewRecorder()
	dictionary.Handler(w, "Warehouse").ServeHTTP(rec, httptest.NewRequest("GET", "/docs/warehouse", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `id="services_current"`) || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("handler: %d %s", rec.Code, rec.Header())
	}
}
